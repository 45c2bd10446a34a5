/**
 * Effective priority (from the origin): a task whose deadline is within one hour runs as if its
 * priority were +2, a task that other tasks wait on as if +1. The stored priority never changes;
 * the claim orders by a derived column that persistence keeps in step with this rule
 * (src/persistence/sql/effective-priority.sql.ts).
 */
export const DEADLINE_WINDOW_MS = 60 * 60 * 1000;
export const DEADLINE_BOOST = 2;
export const BLOCKING_OTHERS_BOOST = 1;

export function effectivePriority(args: { priority: number; deadline: Date | null; hasDependents: boolean; now: Date }): number {
  let p = args.priority;
  if (args.deadline !== null && args.deadline.getTime() - args.now.getTime() <= DEADLINE_WINDOW_MS) p += DEADLINE_BOOST;
  if (args.hasDependents) p += BLOCKING_OTHERS_BOOST;
  return p;
}

/** metadata.deadline as a Date, or null when absent or unparseable (it is free JSON). */
export function deadlineOf(metadata: Record<string, unknown> | null | undefined): Date | null {
  const raw = metadata?.deadline;
  if (typeof raw !== 'string' && typeof raw !== 'number') return null;
  const d = new Date(raw);
  return Number.isNaN(d.getTime()) ? null : d;
}
