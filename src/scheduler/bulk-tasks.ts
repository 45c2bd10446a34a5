import type { EntityManager } from '@mikro-orm/postgresql';
import { BULK_BATCH_SIZE, BulkBatchOutcome, BulkWalk, nextBulkWalk, sliceFractions, startBulkWalks } from '../domain/bulk-walk';
import { CANCELLABLE_STATUSES, requireFilterProject, RETRYABLE_STATUSES } from '../domain/flow-control';
import { assertText } from '../domain/task-input';
import { BulkAction, bulkBatchBindings, BulkBatchRow, bulkBatchSql, bulkCountSql } from '../persistence/sql/bulk.sql';
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

export { BULK_BATCH_SIZE };

/** PostgreSQL's deadlock_detected: a batch chosen as the victim is rolled back and run again. */
const DEADLOCK = '40P01';
const BATCH_ATTEMPTS = 3;

async function prepare(em: EntityManager, filter: TaskFilter, changeable: readonly string[], dryRun: boolean) {
  // The project through the shared lookup: a token scoped to another project finds nothing.
  const project = await requireProject(em, requireFilterProject(filter));
  const { where, bindings } = taskFilterWhere({ ...filter, projectId: project.id });
  const fractions = dryRun ? [] : sliceFractions();
  const [counts] = await sql<{ matched: number; changeable: number; bound: string | null; cuts: string[] | null }>(em, bulkCountSql(where), [
    changeable,
    fractions,
    changeable,
    ...bindings,
  ]);
  const walks = startBulkWalks(counts!.bound === null ? null : BigInt(counts!.bound), counts!.changeable, (counts!.cuts ?? []).filter((c) => c !== null).map(BigInt));
  return { where, bindings, counts: counts!, walks };
}

interface BatchWork {
  action: BulkAction;
  where: string;
  bindings: readonly unknown[];
  statuses: readonly string[];
  /** The change's own bindings (reason and time for a cancel, time for a retry). */
  change: readonly unknown[];
  /** The dependents step, in the batch's transaction: returns how many tasks it changed that count. */
  dependents: (tem: EntityManager, row: BulkBatchRow) => Promise<number>;
}

/**
 * Runs the walks (domain/bulk-walk.ts), the slices at the same time: one transaction per batch,
 * each one statement that locks, changes and logs the batch (bulk.sql.ts) plus, when the batch
 * has dependents, the dependents step. Counts are added once a batch has committed, so a batch
 * run again is counted once. `changed` counts every change, `own` only the batches' own tasks
 * (not their dependents).
 */
async function walkFilter(em: EntityManager, deps: SchedulerDeps, walks: readonly BulkWalk[], work: BatchWork): Promise<{ changed: number; own: number }> {
  const texts = { skipLocked: bulkBatchSql(work.where, work.action, 'skipLocked'), waiting: bulkBatchSql(work.where, work.action, 'waiting') };
  const walkSlice = async (start: BulkWalk) => {
    let walk = start;
    let changed = 0;
    let own = 0;
    while (!walk.done) {
      const current = walk;
      const bindings = bulkBatchBindings(work.bindings, current.pass, { statuses: work.statuses, after: current.after.toString(), bound: current.bound.toString(), limit: BULK_BATCH_SIZE }, work.change);
      const batch = await withDeadlockRetry(() =>
        inTransaction(em.fork(), deps, async (tem) => {
          // These statements' recursive and batch estimates run past jit_above_cost, and compiling
          // them cost more than running them (a 1,000-root dependents lookup: 370 ms of JIT, 50 ms of work).
          await sql(tem, 'set local jit = off');
          const [row] = await sql<BulkBatchRow>(tem, texts[current.pass], bindings);
          const dependents = await work.dependents(tem, row!);
          return { row: row!, changed: row!.changed + dependents };
        }),
      );
      changed += batch.changed;
      own += batch.row.changed;
      walk = nextBulkWalk(current, outcome(batch.row));
    }
    return { changed, own };
  };
  const slices = await Promise.all(walks.map(walkSlice));
  return { changed: slices.reduce((a, s) => a + s.changed, 0), own: slices.reduce((a, s) => a + s.own, 0) };
}

function outcome(row: BulkBatchRow): BulkBatchOutcome {
  return {
    scanned: row.scanned,
    lastSeq: row.last_seq === null ? null : BigInt(row.last_seq),
    seen: row.seen ?? 0,
    handled: row.changed + (row.blocked?.length ?? 0),
  };
}

async function withDeadlockRetry<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (e) {
      if (attempt >= BATCH_ATTEMPTS || (e as { code?: string }).code !== DEADLOCK) throw e;
    }
  }
}

/**
 * cancelTasks: every task of the filter not yet COMPLETED or CANCELLED is cancelled, as
 * cancelTask does (RUNNING ones lose their lease, so their worker's next call is refused;
 * dependents BLOCKED, or cancelled with `cascade`), one batch per transaction.
 *
 * Two slices may reach the same dependent (one cancels a task whose dependent sits in the other
 * slice's current batch): the dependents step then waits for that batch's commit and re-checks,
 * and each change is made, logged and counted once, by whichever got there first.
 */
export async function cancelTasks(
  em: EntityManager,
  deps: SchedulerDeps,
  args: { filter: TaskFilter; reason: string; cascade?: boolean | null; dryRun?: boolean | null },
): Promise<BulkResult> {
  const reason = assertText(args.reason, 'reason', 2_000);
  const { where, bindings, counts, walks } = await prepare(em, args.filter, CANCELLABLE_STATUSES, !!args.dryRun);
  if (args.dryRun) return { matched: counts.matched, changed: counts.changeable, dryRun: true };
  const because = `dependency was cancelled in bulk: ${reason.slice(0, 200)}`;
  const { changed } = await walkFilter(em, deps, walks, {
    action: 'cancel',
    where,
    bindings,
    statuses: CANCELLABLE_STATUSES,
    change: [reason, deps.now().toISOString()],
    dependents: async (tem, row) => {
      if (!row.roots?.length) return 0;
      if (args.cascade) return (await cancelDescendants(tem, row.roots, because)).length;
      await blockWaitingDescendants(tem, row.roots, because);
      return 0;
    },
  });
  return { matched: counts.matched, changed, dryRun: false };
}

/**
 * retryTasks: the filter's FAILED tasks go back to the queue and what they blocked back to
 * PENDING; its BLOCKED tasks whose blockers are dealt with go back to READY or PENDING (those
 * still blocked stay BLOCKED): the rules of retryTask, one batch per transaction.
 */
export async function retryTasks(em: EntityManager, deps: SchedulerDeps, args: { filter: TaskFilter; dryRun?: boolean | null }): Promise<BulkResult> {
  const { where, bindings, counts, walks } = await prepare(em, args.filter, RETRYABLE_STATUSES, !!args.dryRun);
  if (args.dryRun) return { matched: counts.matched, changed: counts.changeable, dryRun: true };
  const { changed, own: retried } = await walkFilter(em, deps, walks, {
    action: 'retry',
    where,
    bindings,
    statuses: RETRYABLE_STATUSES,
    change: [deps.now().toISOString()],
    dependents: async (tem, row) => {
      // Dependents of the retried first, then the batch's BLOCKED tasks: one whose blocker was
      // retried in this batch is free by then.
      const unblocked = row.roots?.length ? (await unblockDescendants(tem, row.roots)).length : 0;
      return unblocked + (row.blocked?.length ? (await unblockTasks(tem, row.blocked)).length : 0);
    },
  });
  // Unblocked tasks may now wait SCHEDULED for their runAt (as after retryTask).
  deps.dueTimesChanged?.();
  // `retried`: the FAILED tasks sent back (a retry batch statement's own changes), for the metrics.
  return { matched: counts.matched, changed, dryRun: false, retried };
}
