import type { EntityManager } from '@mikro-orm/postgresql';
import { CANCELLABLE_STATUSES, requireFilterProject, RETRYABLE_STATUSES } from '../domain/flow-control';
import { assertText } from '../domain/task-input';
import { BULK_CANCEL_SQL, BULK_RETRY_FAILED_SQL, bulkCountSql, bulkLockSql } from '../persistence/sql/bulk.sql';
import { sql } from '../persistence/sql/run';
import { inTransaction, SchedulerDeps } from './context';
import { blockWaitingDescendants, cancelDescendants, unblockDescendants, unblockTasks } from './descendants';
import { requireProject } from './projects';
import type { TaskFilter } from './task-queries';
import { taskFilterWhere } from './task-filter';

export interface BulkResult {
  /** Tasks the filter matches (any status). */
  matched: number;
  /**
   * Tasks this call changed: the filter's tasks in a status the action applies to, plus the
   * dependents it cancelled (cascade) or unblocked. With dryRun: how many of the filter's tasks
   * it would change (dependents are not predicted).
   */
  changed: number;
  dryRun: boolean;
  /** retryTasks: how many of the changed tasks were FAILED ones sent back (tq_tasks_retried_total). */
  retried?: number;
}

/** Tasks per transaction: short enough that no lock is held for long, large enough to be quick. */
export const BULK_BATCH_SIZE = 1_000;

async function prepare(em: EntityManager, filter: TaskFilter, changeable: readonly string[]) {
  // The project through the shared lookup: a token scoped to another project finds nothing.
  const project = await requireProject(em, requireFilterProject(filter));
  const { where, bindings } = taskFilterWhere({ ...filter, projectId: project.id });
  const [counts] = await sql<{ matched: number; changeable: number }>(em, bulkCountSql(where), [changeable, ...bindings]);
  return { where, bindings, counts: counts! };
}

/**
 * cancelTasks: every task of the filter not yet COMPLETED or CANCELLED is cancelled, as
 * cancelTask does (dependents BLOCKED, or cancelled with `cascade`), one batch per transaction.
 */
export async function cancelTasks(
  em: EntityManager,
  deps: SchedulerDeps,
  args: { filter: TaskFilter; reason: string; cascade?: boolean | null; dryRun?: boolean | null },
): Promise<BulkResult> {
  const reason = assertText(args.reason, 'reason', 2_000);
  const { where, bindings, counts } = await prepare(em, args.filter, CANCELLABLE_STATUSES);
  if (args.dryRun) return { matched: counts.matched, changed: counts.changeable, dryRun: true };
  const lock = bulkLockSql(where);
  const because = `dependency was cancelled in bulk: ${reason.slice(0, 200)}`;
  let after = '0';
  let changed = 0;
  for (;;) {
    const done = await inTransaction(em.fork(), deps, async (tem) => {
      const rows = await sql<{ id: string; status: string; seq: string }>(tem, lock, [...bindings, CANCELLABLE_STATUSES, after, BULK_BATCH_SIZE]);
      if (rows.length === 0) return true;
      after = maxSeq(rows, after);
      const ids = rows.map((r) => r.id);
      const cancelled = (await sql<{ id: string }>(tem, BULK_CANCEL_SQL, [reason, deps.now().toISOString(), ids, rows.map((r) => r.status), ids])).map((r) => r.id);
      changed += cancelled.length;
      if (args.cascade) changed += (await cancelDescendants(tem, cancelled, because)).length;
      else await blockWaitingDescendants(tem, cancelled, because);
      return false;
    });
    if (done) break;
  }
  return { matched: counts.matched, changed, dryRun: false };
}

/**
 * retryTasks: the filter's FAILED tasks go back to the queue and what they blocked back to
 * PENDING; its BLOCKED tasks whose blockers are dealt with go back to READY or PENDING (those
 * still blocked stay BLOCKED): the rules of retryTask, one batch per transaction.
 */
export async function retryTasks(em: EntityManager, deps: SchedulerDeps, args: { filter: TaskFilter; dryRun?: boolean | null }): Promise<BulkResult> {
  const { where, bindings, counts } = await prepare(em, args.filter, RETRYABLE_STATUSES);
  if (args.dryRun) return { matched: counts.matched, changed: counts.changeable, dryRun: true };
  const lock = bulkLockSql(where);
  let after = '0';
  let changed = 0;
  let retriedCount = 0;
  for (;;) {
    const done = await inTransaction(em.fork(), deps, async (tem) => {
      const rows = await sql<{ id: string; status: string; seq: string }>(tem, lock, [...bindings, RETRYABLE_STATUSES, after, BULK_BATCH_SIZE]);
      if (rows.length === 0) return true;
      after = maxSeq(rows, after);
      const failed = rows.filter((r) => r.status === 'FAILED').map((r) => r.id);
      const blocked = rows.filter((r) => r.status === 'BLOCKED').map((r) => r.id);
      if (failed.length > 0) {
        const retried = await sql<{ id: string }>(tem, BULK_RETRY_FAILED_SQL, [deps.now().toISOString(), failed]);
        retriedCount += retried.length;
        changed += retried.length + (await unblockDescendants(tem, retried.map((r) => r.id))).length;
      }
      changed += (await unblockTasks(tem, blocked)).length;
      return false;
    });
    if (done) break;
  }
  return { matched: counts.matched, changed, dryRun: false, retried: retriedCount };
}

/** The keyset position after a batch: its highest creation sequence number. */
function maxSeq(rows: readonly { seq: string }[], after: string): string {
  return rows.reduce((max, r) => (BigInt(r.seq) > BigInt(max) ? r.seq : max), after);
}
