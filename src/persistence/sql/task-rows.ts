import type { Task } from '../entities/task.entity';

/**
 * Columns the hot paths (claim, complete, heartbeat, lists) return: everything but the
 * complexity estimate, a few kB of JSON that only Task.complexity reads (it loads the column
 * itself, batched, when a client asks for it).
 */
const COLUMNS = [
  'id', 'project_id', 'title', 'description', 'priority', 'effective_priority', 'status', 'context', 'result',
  'metadata', 'retry_count', 'max_retries', 'assigned_to', 'parent_task_id', 'worker_id', 'lease_expires_at',
  'available_at', 'deadline_at', 'retry_policy', 'created_at', 'updated_at', 'started_at', 'completed_at', 'seq',
  'attempt', 'run_at', 'timeout_seconds', 'idempotency_key', 'concurrency_key', 'progress',
] as const;

export type TaskColumn = (typeof COLUMNS)[number];

/** Every column toTasks knows (the default of the hot statements). */
export const ALL_TASK_COLUMNS: readonly TaskColumn[] = COLUMNS;

export function taskColumns(alias?: string, columns: readonly TaskColumn[] = COLUMNS): string {
  return columns.map((c) => (alias ? `${alias}.${c}` : c)).join(', ');
}

const TIMESTAMPS = new Set(['lease_expires_at', 'available_at', 'deadline_at', 'created_at', 'updated_at', 'started_at', 'completed_at', 'run_at']);
const PROPS = COLUMNS.map((c) => ({ column: c, prop: c.replace(/_([a-z])/g, (_, l: string) => l.toUpperCase()), timestamp: TIMESTAMPS.has(c) }));
const COLUMN_OF_PROP = new Map<string, TaskColumn>(PROPS.map((p) => [p.prop, p.column]));

/** Task fields that read nothing but `id`: relations (through loaders) and the lazily loaded estimate. */
const ID_ONLY_FIELDS = new Set(['__typename', 'dependencies', 'dependencyTasks', 'dependents', 'complexity']);

/**
 * The columns a caller that reads only `fields` (Task property names) needs, in the canonical
 * order (so equal selections give equal statements). A field this does not know gets every
 * column: a new field resolver can never silently read a column that was left out.
 */
export function columnsForTaskFields(fields: Iterable<string> | undefined): readonly TaskColumn[] {
  if (!fields) return COLUMNS;
  if (Array.isArray(fields)) {
    // Callers reuse one array per GraphQL selection: the same columns array for it each time.
    let columns = columnsByFields.get(fields);
    if (!columns) columnsByFields.set(fields, (columns = mapFields(fields)));
    return columns;
  }
  return mapFields(fields);
}

const columnsByFields = new WeakMap<readonly string[], readonly TaskColumn[]>();

function mapFields(fields: Iterable<string>): readonly TaskColumn[] {
  const wanted = new Set<TaskColumn>(['id']);
  for (const field of fields) {
    const column = COLUMN_OF_PROP.get(field);
    if (column) wanted.add(column);
    else if (!ID_ONLY_FIELDS.has(field)) return COLUMNS;
  }
  return wanted.size === COLUMNS.length ? COLUMNS : COLUMNS.filter((c) => wanted.has(c));
}

/**
 * MikroORM has the driver hand timestamps over as text ("2026-11-25 20:43:01.298275+00"); this
 * makes them Dates, as the entity would hold them. Rewritten to the ISO form by slicing (not
 * regular expressions: this runs 7 times per task on the claim and completion paths), and not
 * left to Date's lenient parser, which reads year 0099 as 1999.
 */
function toDate(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value;
  const text = String(value);
  const sign = text.charCodeAt(text.length - 3); // "+00" / "-03": an offset in whole hours
  return new Date(`${text.slice(0, 10)}T${text.slice(11)}${sign === 43 || sign === 45 ? ':00' : ''}`);
}

/**
 * Rows returned by explained SQL become detached, read-only Task snapshots: plain objects with
 * the entity's property names. Not entities on purpose: hydrating managed entities (identity
 * map, change-tracking snapshots of every JSON column) was the largest server-side cost per
 * claim and completion in the W1 benchmark, and these results are only read.
 */
export function toTasks(rows: readonly Record<string, unknown>[]): Task[] {
  return rows.map((row) => {
    const task: Record<string, unknown> = {};
    // A statement may have selected only the columns its caller reads (columnsForTaskFields).
    for (const { column, prop, timestamp } of PROPS) if (column in row) task[prop] = timestamp ? toDate(row[column]) : row[column];
    // Absent (not selected) means "load on demand"; null means "no estimate".
    task.complexity = 'complexity' in row ? row.complexity : undefined;
    return task as unknown as Task;
  });
}
