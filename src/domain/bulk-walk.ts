/**
 * How a bulk action (cancelTasks, retryTasks) walks its filter's tasks in batches: pure rules
 * over plain numbers, so the order of passes and when the walk ends are tested without a database.
 *
 * The walk goes through the filter's tasks in creation order (`seq`), up to the highest `seq` the
 * filter matched when the call started (`bound`): tasks created during the call are not part of
 * it, and the walk ends even while producers keep adding tasks.
 *
 * - Pass `skipLocked`: each batch takes the next tasks with `FOR UPDATE SKIP LOCKED`. It never
 *   waits on a row lock, so it cannot wait behind (or deadlock with) a claim, a completion or a
 *   single-task mutation holding one of its rows; a row it skips is counted (the batch reports
 *   how many of its range the snapshot matched, `seen`, against how many it changed or examined,
 *   `handled`).
 * - Pass `waiting`: only when the first pass skipped something. It walks the filter again from
 *   the start, this time waiting for each row's lock (in id order, as every other multi-row lock
 *   is taken), so a task that was locked a moment ago is handled too: nothing is left out.
 */

export type BulkPass = 'skipLocked' | 'waiting';

export interface BulkWalk {
  pass: BulkPass;
  /** Keyset position: the batch after this one starts at the first task with `seq > after`. */
  after: bigint;
  /** The highest `seq` the filter matched when the call started; the walk stops there. */
  bound: bigint;
  /** Whether a batch of the first pass skipped a locked row (then the second pass runs). */
  skipped: boolean;
  done: boolean;
}

/** What one batch reports (see bulk.sql.ts). */
export interface BulkBatchOutcome {
  /** Rows the batch's keyset step went through (it ends the walk when fewer than the batch size). */
  scanned: number;
  /** The highest `seq` among them (null when none). */
  lastSeq: bigint | null;
  /** First pass: the rows of its range the statement's snapshot matched. */
  seen: number;
  /** First pass: the rows it changed or examined under lock (seen > handled: something was skipped). */
  handled: number;
}

/** Rows per batch: each batch is one transaction of a few statements (see bulk-tasks.ts). */
export const BULK_BATCH_SIZE = 5_000;

export function startBulkWalk(bound: bigint | null): BulkWalk {
  return { pass: 'skipLocked', after: 0n, bound: bound ?? 0n, skipped: false, done: bound === null };
}

export function nextBulkWalk(walk: BulkWalk, batch: BulkBatchOutcome, batchSize: number): BulkWalk {
  const skipped = walk.skipped || (walk.pass === 'skipLocked' && batch.seen > batch.handled);
  const after = batch.lastSeq !== null && batch.lastSeq > walk.after ? batch.lastSeq : walk.after;
  const passEnded = batch.scanned < batchSize || after >= walk.bound;
  if (!passEnded) return { ...walk, after, skipped };
  if (walk.pass === 'skipLocked' && skipped) return { pass: 'waiting', after: 0n, bound: walk.bound, skipped, done: false };
  return { ...walk, after, skipped, done: true };
}
