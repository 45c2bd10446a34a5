import { createHash } from 'node:crypto';
import { parse as parseCsv } from 'csv-parse/sync';
import { LineCounter, parseDocument, isSeq } from 'yaml';

/** One row of an import file, normalised, with the line it starts on. */
export interface ImportRow {
  line: number;
  key: string | null;
  dependencyKeys: string[];
  input: Record<string, unknown>;
}

export class ImportFileError extends Error {
  constructor(readonly problems: string[]) {
    super(`${problems.length} problem(s) in the file:\n  ${problems.slice(0, 20).join('\n  ')}${problems.length > 20 ? `\n  … and ${problems.length - 20} more` : ''}`);
  }
}

const INT_FIELDS = ['priority', 'maxRetries', 'delaySeconds', 'timeoutSeconds'];
const JSON_FIELDS = ['context', 'metadata'];
const TEXT_FIELDS = ['title', 'description', 'assignedTo', 'runAt', 'concurrencyKey', 'idempotencyKey', 'parentTaskId'];
const KNOWN = new Set(['key', 'dependencyKeys', 'dependencies', ...INT_FIELDS, ...JSON_FIELDS, ...TEXT_FIELDS]);

/** Raw records with their first line, by file type (csv, json, jsonl/ndjson, yaml/yml). */
export function readRecords(text: string, kind: string): { line: number; record: Record<string, unknown> }[] {
  switch (kind) {
    case 'csv': {
      const rows = parseCsv(text, { columns: true, info: true, skip_empty_lines: true, trim: true, bom: true }) as { record: Record<string, string>; info: { lines: number } }[];
      return rows.map((r) => ({ line: r.info.lines, record: r.record }));
    }
    case 'jsonl':
    case 'ndjson':
      return text.split('\n').flatMap((l, i) => (l.trim() ? [{ line: i + 1, record: parseJson(l, i + 1) }] : []));
    case 'json': {
      const value = parseJson(text, 1);
      if (!Array.isArray(value)) throw new ImportFileError(['line 1: a JSON import file is an array of task objects']);
      const lines = objectLines(text);
      return value.map((record, i) => ({ line: lines[i] ?? i + 1, record: record as Record<string, unknown> }));
    }
    case 'yaml':
    case 'yml': {
      const counter = new LineCounter();
      const doc = parseDocument(text, { lineCounter: counter });
      if (doc.errors.length) throw new ImportFileError(doc.errors.map((e) => `line ${e.linePos?.[0].line ?? '?'}: ${e.message.split('\n')[0]}`));
      if (!isSeq(doc.contents)) throw new ImportFileError(['line 1: a YAML import file is a list of task mappings']);
      const data = doc.toJS() as Record<string, unknown>[];
      return doc.contents.items.map((item, i) => ({ line: counter.linePos((item as unknown as { range?: number[] }).range?.[0] ?? 0).line, record: data[i]! }));
    }
    default:
      throw new ImportFileError([`unknown file type .${kind}: use .csv, .json, .jsonl or .yaml`]);
  }
}

function parseJson(text: string, line: number): any {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ImportFileError([`line ${line}: invalid JSON (${(e as Error).message})`]);
  }
}

/** The line each top-level array element starts on (a scan that skips strings). */
function objectLines(text: string): number[] {
  const lines: number[] = [];
  let line = 1;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) line++;
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
      continue;
    }
    if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      if (depth === 1) lines.push(line);
      depth++;
    } else if (c === 93 || c === 125) depth--;
  }
  return lines;
}

/** Records to rows: fields typed (CSV cells are text), unknown columns refused, with line numbers. */
export function normaliseRows(records: { line: number; record: Record<string, unknown> }[]): ImportRow[] {
  const problems: string[] = [];
  const occurrences = new Map<string, number>();
  const rows: ImportRow[] = [];
  for (const { line, record } of records) {
    if (!record || typeof record !== 'object' || Array.isArray(record)) {
      problems.push(`line ${line}: expected an object with a title`);
      continue;
    }
    const input: Record<string, unknown> = {};
    let key: string | null = null;
    let dependencyKeys: string[] = [];
    for (const [field, raw] of Object.entries(record)) {
      if (raw === '' || raw === null || raw === undefined) continue;
      if (!KNOWN.has(field)) {
        problems.push(`line ${line}: unknown column "${field}"`);
        continue;
      }
      if (field === 'key') key = String(raw);
      else if (field === 'dependencyKeys' || field === 'dependencies') {
        const list = Array.isArray(raw) ? raw.map(String) : String(raw).split(/[;|\s]+/).filter(Boolean);
        if (field === 'dependencyKeys') dependencyKeys = list;
        else input.dependencies = list;
      } else if (INT_FIELDS.includes(field)) {
        const n = typeof raw === 'number' ? raw : Number(String(raw));
        if (!Number.isInteger(n)) problems.push(`line ${line}: ${field} must be a whole number, got ${JSON.stringify(raw)}`);
        else input[field] = n;
      } else if (JSON_FIELDS.includes(field)) {
        if (typeof raw === 'string') {
          try {
            input[field] = JSON.parse(raw);
          } catch {
            problems.push(`line ${line}: ${field} is not valid JSON`);
          }
        } else input[field] = raw;
      } else input[field] = raw instanceof Date ? raw.toISOString() : String(raw);
    }
    if (typeof input.title !== 'string' || !input.title.trim()) problems.push(`line ${line}: title is missing`);
    if (input.idempotencyKey === undefined) {
      // Re-running the same file creates nothing twice: every row gets a stable key.
      const base = key !== null ? `import:key:${key}` : `import:row:${createHash('sha256').update(JSON.stringify([input, dependencyKeys])).digest('base64url').slice(0, 24)}`;
      const n = occurrences.get(base) ?? 0;
      occurrences.set(base, n + 1);
      input.idempotencyKey = n === 0 ? base : `${base}:${n}`;
    }
    rows.push({ line, key, dependencyKeys, input });
  }
  if (problems.length) throw new ImportFileError(problems);
  return rows;
}

/**
 * Checks the whole file before anything is sent: duplicate keys, unknown dependency keys and
 * cycles, each named with its line. Returns the rows in an order where every dependency comes
 * before its dependents (file order otherwise).
 */
export function orderRows(rows: ImportRow[]): ImportRow[] {
  const problems: string[] = [];
  const byKey = new Map<string, ImportRow>();
  for (const r of rows) {
    if (r.key === null) continue;
    const seen = byKey.get(r.key);
    if (seen) problems.push(`line ${r.line}: key "${r.key}" is already used on line ${seen.line}`);
    else byKey.set(r.key, r);
  }
  for (const r of rows) {
    for (const k of r.dependencyKeys) if (!byKey.has(k)) problems.push(`line ${r.line}: unknown dependency key "${k}"`);
  }
  if (problems.length) throw new ImportFileError(problems);

  // Kahn's algorithm, ready rows taken in file order.
  const index = new Map(rows.map((r, i) => [r, i]));
  const waiting = rows.map((r) => r.dependencyKeys.length);
  const dependents = rows.map(() => [] as number[]);
  rows.forEach((r, i) => {
    for (const k of r.dependencyKeys) dependents[index.get(byKey.get(k)!)!]!.push(i);
  });
  const order: ImportRow[] = [];
  const queue: number[] = [];
  rows.forEach((_, i) => waiting[i] === 0 && queue.push(i));
  for (let head = 0; head < queue.length; head++) {
    const i = queue[head]!;
    order.push(rows[i]!);
    for (const d of dependents[i]!) if (--waiting[d]! === 0) queue.push(d);
  }
  if (order.length < rows.length) throw new ImportFileError([describeCycle(rows, byKey, waiting)]);
  return order;
}

function describeCycle(rows: ImportRow[], byKey: Map<string, ImportRow>, waiting: number[]): string {
  // Walk from a row still waiting along its waiting dependencies until a row repeats.
  let row = rows[waiting.findIndex((w) => w > 0)]!;
  const path: ImportRow[] = [];
  const at = new Map<ImportRow, number>();
  while (!at.has(row)) {
    at.set(row, path.length);
    path.push(row);
    row = row.dependencyKeys.map((k) => byKey.get(k)!).find((d) => waiting[rows.indexOf(d)]! > 0)!;
  }
  const cycle = [...path.slice(at.get(row)!), row];
  return `line ${cycle[0]!.line}: dependency cycle ${cycle.map((r) => `"${r.key}" (line ${r.line})`).join(' -> ')}`;
}

/** Rows in chunks for createTasks: keys inside a chunk, task ids for dependencies in earlier chunks. */
export function chunkInputs(order: ImportRow[], projectId: string, size: number, idsByKey: Map<string, string>, start: number): { inputs: Record<string, unknown>[]; rows: ImportRow[] } {
  const rows = order.slice(start, start + size);
  const inChunk = new Set(rows.flatMap((r) => (r.key === null ? [] : [r.key])));
  const inputs = rows.map((r) => {
    const input: Record<string, unknown> = { ...r.input, projectId };
    const ids: string[] = [...((r.input.dependencies as string[] | undefined) ?? [])];
    const keys: string[] = [];
    for (const k of r.dependencyKeys) {
      if (inChunk.has(k)) keys.push(k);
      else ids.push(idsByKey.get(k)!);
    }
    if (r.key !== null) input.key = r.key;
    if (keys.length) input.dependencyKeys = keys;
    if (ids.length) input.dependencies = ids;
    return input;
  });
  return { inputs, rows };
}

/**
 * For each chunk, the last earlier chunk it takes task ids from (-1: none): a chunk may be sent
 * once that one and every one before it have been created.
 */
export function chunkNeeds(order: ImportRow[], size: number): number[] {
  const chunkOfKey = new Map<string, number>();
  order.forEach((r, i) => r.key !== null && chunkOfKey.set(r.key, Math.floor(i / size)));
  const needs: number[] = [];
  order.forEach((r, i) => {
    const c = Math.floor(i / size);
    let need = needs[c] ?? -1;
    for (const k of r.dependencyKeys) {
      const d = chunkOfKey.get(k)!;
      if (d < c && d > need) need = d;
    }
    needs[c] = need;
  });
  return needs;
}
