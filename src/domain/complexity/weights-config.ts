/**
 * Reading a complexity config file's content over the defaults.
 *
 * The rules, so that a file means exactly what it says:
 * - Every top-level section is optional: a section left out keeps its defaults.
 * - A section (or sub-section) that is given must be complete: every key of its shape present
 *   (`keywordGroups` needs high, medium and low; each of those keywords, loc and score). Nobody
 *   has to guess what half a section merges into.
 * - The open maps `concepts` and `taskTypes.multipliers` merge entry by entry: an entry given
 *   replaces or adds that one entry (complete), the others keep their defaults.
 * - Lists are replaced, not appended to.
 * - Unknown sections and keys, wrong types and out-of-range numbers are refused.
 * Every refusal is a BadInputError whose message starts with "complexity config:" and names the
 * section and key, so a server refusing to start says which line to fix.
 */
import { parse as parseYaml } from 'yaml';
import { BadInputError } from '../errors';
import { deepFreeze, DEFAULT_COMPLEXITY_WEIGHTS, type ComplexityWeights } from './weights';

type Shape =
  | { kind: 'number'; min?: number; max?: number; integer?: boolean }
  | { kind: 'string' }
  | { kind: 'strings'; minItems?: number; maxItems?: number }
  | { kind: 'object'; fields: Record<string, Shape> }
  | { kind: 'map'; entry: Shape }
  | { kind: 'list'; item: Shape; minItems?: number };

const nonNegative: Shape = { kind: 'number', min: 0 };
const fraction: Shape = { kind: 'number', min: 0, max: 1 };
const count: Shape = { kind: 'number', min: 0, integer: true };
const positive: Shape = { kind: 'number', min: Number.MIN_VALUE };
const keywords: Shape = { kind: 'strings', minItems: 1 };
const titles: Shape = { kind: 'strings', minItems: 3, maxItems: 7 };
const object = (fields: Record<string, Shape>): Shape => ({ kind: 'object', fields });
const keywordGroup = object({ keywords, loc: nonNegative, score: nonNegative });
const conceptSet = object({ keywords, multiplier: nonNegative });
const categoryRule = object({ keywords, multiplier: nonNegative });

const SECTIONS: Record<keyof ComplexityWeights, Shape> = {
  base: object({ loc: nonNegative, score: nonNegative }),
  keywordGroups: object({ high: keywordGroup, medium: keywordGroup, low: keywordGroup }),
  files: object({
    brackets: { kind: 'list', item: object({ maxFiles: { ...count, min: 1 }, weight: nonNegative }) },
    beyondWeight: nonNegative,
    extensions: keywords,
  }),
  concepts: { kind: 'map', entry: conceptSet },
  verbs: object({ keywords, freeCount: count, scorePerExtra: nonNegative }),
  listItems: object({ moreThan: count, locPerItem: nonNegative, scorePerItem: nonNegative }),
  dependencies: object({ one: nonNegative, two: nonNegative, three: nonNegative, fourOrMore: nonNegative }),
  taskTypes: object({
    defaultType: { kind: 'string' },
    unknownMultiplier: nonNegative,
    multipliers: { kind: 'map', entry: nonNegative },
  }),
  limits: object({
    maxScore: positive,
    charsPerToken: positive,
    tokensPerLoc: nonNegative,
    locPerMinute: positive,
    minMinutes: nonNegative,
  }),
  confidence: object({
    base: fraction,
    filesBonus: fraction,
    typeBonus: fraction,
    ambiguousMargin: nonNegative,
    ambiguousFactor: fraction,
  }),
  decomposition: object({ minScore: nonNegative, minLoc: nonNegative, minFiles: nonNegative, minTokens: nonNegative }),
  rationale: object({ highScore: nonNegative }),
  blend: object({
    heuristic: fraction,
    external: fraction,
    defaultExternalConfidence: fraction,
    externalDecidesAt: fraction,
    fallbackConfidence: fraction,
  }),
  categories: object({ lowMax: nonNegative, mediumMax: nonNegative, highMax: nonNegative }),
  subtasks: object({
    kinds: { kind: 'list', item: object({ name: { kind: 'string' }, keywords, titles }) },
    generic: object({
      manyFilesAbove: count,
      manyFilesTitles: titles,
      largeLocAbove: nonNegative,
      largeLocTitles: titles,
      defaultTitles: titles,
    }),
    categories: object({
      design: categoryRule,
      implement: categoryRule,
      test: categoryRule,
      document: categoryRule,
      integrate: categoryRule,
      deploy: categoryRule,
    }),
    otherMultiplier: nonNegative,
  }),
};

function refuse(message: string, path: string): never {
  throw new BadInputError(`complexity config: ${message}`, { path });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (isPlainObject(value)) return 'a mapping';
  // JSON would print NaN and Infinity (YAML's .nan and .inf) as "null".
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** Validates `raw` against `shape` and merges it over `fallback` (open maps only; see above). */
function merge(fallback: unknown, raw: unknown, shape: Shape, path: string): unknown {
  switch (shape.kind) {
    case 'number': {
      if (typeof raw !== 'number' || !Number.isFinite(raw))
        refuse(`"${path}" must be a number, got ${describe(raw)}`, path);
      if (shape.integer && !Number.isInteger(raw)) refuse(`"${path}" must be a whole number, got ${raw}`, path);
      if (shape.min !== undefined && raw < shape.min) {
        refuse(
          `"${path}" must be ${shape.min === Number.MIN_VALUE ? 'greater than 0' : `at least ${shape.min}`}, got ${raw}`,
          path,
        );
      }
      if (shape.max !== undefined && raw > shape.max)
        refuse(`"${path}" must be at most ${shape.max}, got ${raw}`, path);
      return raw;
    }
    case 'string':
      if (typeof raw !== 'string' || raw.trim() === '')
        refuse(`"${path}" must be a non-empty string, got ${describe(raw)}`, path);
      return raw;
    case 'strings': {
      if (!Array.isArray(raw)) refuse(`"${path}" must be a list of strings, got ${describe(raw)}`, path);
      raw.forEach((item, i) => merge(undefined, item, { kind: 'string' }, `${path}[${i}]`));
      if (shape.minItems !== undefined && raw.length < shape.minItems) {
        refuse(`"${path}" must have at least ${shape.minItems} entries, got ${raw.length}`, path);
      }
      if (shape.maxItems !== undefined && raw.length > shape.maxItems) {
        refuse(`"${path}" must have at most ${shape.maxItems} entries, got ${raw.length}`, path);
      }
      return [...raw];
    }
    case 'list': {
      if (!Array.isArray(raw)) refuse(`"${path}" must be a list, got ${describe(raw)}`, path);
      return raw.map((item, i) => merge(undefined, item, shape.item, `${path}[${i}]`));
    }
    case 'object': {
      if (!isPlainObject(raw)) refuse(`section "${path}" must be a mapping, got ${describe(raw)}`, path);
      const known = Object.keys(shape.fields);
      for (const key of Object.keys(raw)) {
        if (!Object.hasOwn(shape.fields, key)) {
          refuse(`section "${path}" has unknown key "${key}" (known keys: ${known.join(', ')})`, `${path}.${key}`);
        }
      }
      const result: Record<string, unknown> = {};
      for (const key of known) {
        if (!Object.hasOwn(raw, key)) refuse(`section "${path}" is missing "${key}"`, `${path}.${key}`);
        result[key] = merge(childOf(fallback, key), raw[key], shape.fields[key]!, `${path}.${key}`);
      }
      return result;
    }
    case 'map': {
      if (!isPlainObject(raw)) refuse(`section "${path}" must be a mapping, got ${describe(raw)}`, path);
      const given = Object.entries(raw).map(([key, value]) => [
        key,
        merge(childOf(fallback, key), value, shape.entry, `${path}.${key}`),
      ]);
      // fromEntries defines own properties, so a key such as "__proto__" stays a plain entry.
      return Object.fromEntries([...Object.entries(isPlainObject(fallback) ? fallback : {}), ...given]);
    }
  }
}

function childOf(parent: unknown, key: string): unknown {
  return isPlainObject(parent) && Object.hasOwn(parent, key) ? parent[key] : undefined;
}

/** Rules that span several keys, checked on the merged result. */
function checkConsistency(w: ComplexityWeights): void {
  const { lowMax, mediumMax, highMax } = w.categories;
  if (!(lowMax < mediumMax && mediumMax < highMax)) {
    refuse(
      `section "categories" must have lowMax < mediumMax < highMax, got ${lowMax}, ${mediumMax}, ${highMax}`,
      'categories',
    );
  }
  w.files.brackets.forEach((bracket, i) => {
    const previous = w.files.brackets[i - 1];
    if (previous && bracket.maxFiles <= previous.maxFiles) {
      refuse(
        `"files.brackets[${i}].maxFiles" must be greater than the previous bracket's (${previous.maxFiles})`,
        `files.brackets[${i}].maxFiles`,
      );
    }
  });
  if (Math.abs(w.blend.heuristic + w.blend.external - 1) > 1e-9) {
    refuse(
      `section "blend" must have heuristic + external = 1, got ${w.blend.heuristic} + ${w.blend.external}`,
      'blend',
    );
  }
  const names = new Set<string>();
  w.subtasks.kinds.forEach((kind, i) => {
    if (names.has(kind.name)) refuse(`"subtasks.kinds[${i}].name" repeats "${kind.name}"`, `subtasks.kinds[${i}].name`);
    names.add(kind.name);
  });
}

/**
 * Validates a parsed config object (from JSON or YAML; the caller reads the file) and returns the
 * defaults with its sections merged over them. Throws BadInputError naming the offending
 * section and key.
 */
export function parseComplexityWeights(raw: unknown): ComplexityWeights {
  if (!isPlainObject(raw)) {
    refuse(`expected a mapping of sections at the top level, got ${describe(raw)}`, '');
  }
  const known = Object.keys(SECTIONS);
  for (const section of Object.keys(raw)) {
    if (!Object.hasOwn(SECTIONS, section)) {
      refuse(`unknown section "${section}" (known sections: ${known.join(', ')})`, section);
    }
  }
  const merged: Record<string, unknown> = {};
  for (const section of known as (keyof ComplexityWeights)[]) {
    merged[section] = Object.hasOwn(raw, section)
      ? merge(DEFAULT_COMPLEXITY_WEIGHTS[section], raw[section], SECTIONS[section], section)
      : DEFAULT_COMPLEXITY_WEIGHTS[section];
  }
  const weights = merged as unknown as ComplexityWeights;
  checkConsistency(weights);
  return deepFreeze(weights);
}

/**
 * Parses a config file's text (YAML, which includes JSON) and validates it. `source` (usually the
 * path) only appears in the message of a syntax error.
 */
export function parseComplexityConfigText(text: string, source = 'the config file'): ComplexityWeights {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    refuse(`${source} is not valid YAML or JSON: ${reason}`, '');
  }
  if (raw === null || raw === undefined)
    refuse(`${source} is empty; give at least one section or remove the setting`, '');
  return parseComplexityWeights(raw);
}
