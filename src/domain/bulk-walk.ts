/**
 * How a bulk action (cancelTasks, retryTasks) walks its filter's tasks in batches: pure rules
 * over plain numbers, so the order of passes, the slices and when a walk ends are tested without
 * a database.
 *
 * The filter's tasks are taken in creation order (`seq`), up to the highest `seq` the filter
 * matched when the call started (`bound`): tasks created during the call are not part of it, and
 * the call ends even while producers keep adding tasks.
 *
 * - Slices: a large set is cut into BULK_WALKERS ranges of `seq` holding about as many tasks each
 *   (split at the quantiles of the changeable tasks' `seq`), walked at the same time, one batch
 *   transaction in flight per slice. A batch's cost is PostgreSQL's work per row (a non-HOT
 *   update, its index entries, the event row), all on one backend and so on one core; two slices
 *   use both cores of a 2-core machine (cancelling 100,000 tasks, three runs each, shared machine at
 *   load 11-12: 7.3-10.1 s with one slice, 5.7-6.2 s with two). A set of fewer than two batches
 *   stays one slice.
 * - Pass `skipLocked`: each batch of a slice takes the next tasks with `FOR UPDATE SKIP LOCKED`.
 *   It never waits on a row lock, so it cannot wait behind (or deadlock with) a claim, a
 *   completion or a single-task mutation holding one of its rows; a row it skips is counted (the
 *   batch reports how many of its range the snapshot matched, `seen`, against how many it
 *   changed or examined, `handled`).
 * - Pass `waiting`: only when the first pass skipped something. It walks the slice again from its
 *   start, this time waiting for each row's lock (in id order, as every other multi-row lock is
 *   taken), so a task that was locked a moment ago is handled too: nothing is left out.
 */

export type BulkPass = 'skipLocked' | 'waiting';

export interface BulkWalk {
  pass: BulkPass;
  /** The slice: tasks with `from < seq <= bound`. */
  from: bigint;
  bound: bigint;
  /** Keyset position: the next batch starts at the first task with `seq > after`. */
  after: bigint;
  /** Whether a batch of the first pass skipped a locked row (then the second pass runs). */
  skipped: boolean;
  done: boolean;
}

/** What one batch reports (see bulk.sql.ts). */
export interface BulkBatchOutcome {
  /** Rows the batch's keyset step went through (it ends the pass when fewer than the batch size). */
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
/** Slices walked at once (each one batch transaction, one connection, at a time). */
export const BULK_WALKERS = 2;

/** Where to cut the changeable tasks' `seq` range: the quantiles asked of the database. */
export function sliceFractions(walkers = BULK_WALKERS): number[] {
  return Array.from({ length: walkers - 1 }, (_, i) => (i + 1) / walkers);
}

/**
 * The walks of a call: none when the filter matched nothing (`bound` null); one slice for a set
 * under two batches, or when the cut points are unusable; otherwise one slice per cut.
 */
export function startBulkWalks(bound: bigint | null, changeable: number, cuts: readonly bigint[], batchSize = BULK_BATCH_SIZE): BulkWalk[] {
  if (bound === null) return [];
  const edges: bigint[] = [];
  if (changeable >= 2 * batchSize) {
    for (const cut of cuts) if (cut > (edges[edges.length - 1] ?? 0n) && cut < bound) edges.push(cut);
  }
  const starts = [0n, ...edges];
  return starts.map((from, i) => ({ pass: 'skipLocked', from, bound: edges[i] ?? bound, after: from, skipped: false, done: false }));
}

export function nextBulkWalk(walk: BulkWalk, batch: BulkBatchOutcome, batchSize = BULK_BATCH_SIZE): BulkWalk {
  const skipped = walk.skipped || (walk.pass === 'skipLocked' && batch.seen > batch.handled);
  const after = batch.lastSeq !== null && batch.lastSeq > walk.after ? batch.lastSeq : walk.after;
  const passEnded = batch.scanned < batchSize || after >= walk.bound;
  if (!passEnded) return { ...walk, after, skipped };
  if (walk.pass === 'skipLocked' && skipped) return { ...walk, pass: 'waiting', after: walk.from, skipped };
  return { ...walk, after, skipped, done: true };
}
