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
] as const;

export function taskColumns(alias?: string): string {
  return COLUMNS.map((c) => (alias ? `${alias}.${c}` : c)).join(', ');
}

const PROPS = COLUMNS.map((c) => [c, c.replace(/_([a-z])/g, (_, l: string) => l.toUpperCase())] as const);
const TIMESTAMPS = new Set(['lease_expires_at', 'available_at', 'deadline_at', 'created_at', 'updated_at', 'started_at', 'completed_at']);

/**
 * MikroORM has the driver hand timestamps over as text ("2026-11-25 20:43:01.298275+00"); this
 * makes them Dates, as the entity would hold them.
 */
function toDate(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value;
  return new Date(String(value).replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00'));
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
    for (const [column, prop] of PROPS) task[prop] = TIMESTAMPS.has(column) ? toDate(row[column]) : row[column];
    // Absent (not selected) means "load on demand"; null means "no estimate".
    task.complexity = 'complexity' in row ? row.complexity : undefined;
    return task as unknown as Task;
  });
}
