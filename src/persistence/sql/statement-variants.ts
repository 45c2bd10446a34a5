import { ALL_TASK_COLUMNS, TaskColumn } from './task-rows';

/**
 * Hot statements come in one variant per set of returned columns (a worker that reads only the
 * claimed task's id gets a statement that returns only the id: less for PostgreSQL to format and
 * send, and for the driver to describe and parse, on every claim and completion). Each variant
 * is a named prepared statement; names stay short (PostgreSQL truncates identifiers at 63
 * bytes) and the number of variants is bounded, past which callers get the all-columns one.
 */
const MAX_VARIANTS = 200;

export interface StatementVariant {
  name: string;
  text: string;
}

const variants = new Map<string, StatementVariant>();
/** Callers reuse column arrays (one per GraphQL selection): found by identity before by text. */
const byArray = new WeakMap<readonly TaskColumn[], Map<string, StatementVariant>>();

export function statementVariant(base: string, columns: readonly TaskColumn[], build: (columns: readonly TaskColumn[]) => string): StatementVariant {
  let forArray = byArray.get(columns);
  const known = forArray?.get(base);
  if (known) return known;
  const key = `${base}|${columns.join(',')}`;
  let variant = variants.get(key);
  if (!variant) {
    if (variants.size >= MAX_VARIANTS && columns !== ALL_TASK_COLUMNS) return statementVariant(base, ALL_TASK_COLUMNS, build);
    variant = { name: `${base}_${variants.size}`, text: build(columns) };
    variants.set(key, variant);
  }
  if (!forArray) byArray.set(columns, (forArray = new Map()));
  forArray.set(base, variant);
  return variant;
}
