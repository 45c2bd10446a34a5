import type { BulkPass } from '../../domain/bulk-walk';

/**
 * Bulk cancel / retry (cancelTasks, retryTasks): a filter's tasks are changed in batches, each
 * batch one short transaction, so no lock is held for long and workers keep claiming and
 * completing in between. The walk (passes, keyset, end) is domain/bulk-walk.ts.
 *
 * One statement per batch locks the next tasks, changes them and writes their events (one
 * `task_event` row per transition, as the single-task mutations write them):
 *
 * - The batch is the next `limit` tasks of the filter in creation order after the keyset
 *   position (`seq > after`, on task_project_seq_idx), in a status the action changes, locked
 *   `FOR UPDATE SKIP LOCKED` (first pass) or, in the second pass, the next `limit` such tasks
 *   locked waiting, in id order (the order block.sql.ts and the completion lock in).
 * - In the first pass the change reaches the locked rows by their `ctid` (a TID scan of the
 *   batch's own row versions, which nobody can replace while it holds their locks) and joins the
 *   batch again by id for the status each had, which the events need. Reaching them by id
 *   instead cost a scan of the whole task table per batch (planned as a hash join: 28 ms per
 *   batch at 100,000 tasks, more as the table grows) or 5,000 primary-key probes (about 8 ms);
 *   the TID scan costs 1 ms. One case escapes it: a row changed and committed by someone else
 *   after the statement began and before it was locked (the lock then holds the newer version,
 *   which the statement's snapshot cannot see, so the TID scan finds nothing there). That row
 *   is left unchanged, the batch reports it as not handled, and the second pass takes it.
 * - The second pass reaches its rows by id: the update finds the version its snapshot sees and
 *   follows it to the newest, the one it locked (PostgreSQL's re-check under READ COMMITTED).
 * - The statement answers in one row: what the keyset step went through (`scanned`, `last_seq`),
 *   how many rows of its range the snapshot matched (`seen`, first pass: more than it handled
 *   means a row was skipped), how many it changed, and which of the changed tasks have dependents
 *   (`roots`: only those go through the dependents step, see bulk-tasks.ts).
 *
 * Measured (100,000 READY tasks, one project, 2-core machine shared at load 10-14): the previous
 * shape (a lock statement, then an update by `id = any($ids)` planned as a hash join over the
 * whole table, batches of 1,000, a JIT-compiled dependents lookup per batch) used 3.5-3.8 s of
 * PostgreSQL CPU; this one 2.7-3.1 s, against 2.4 s for a bare `UPDATE … RETURNING` plus event
 * `INSERT` over the same rows in ranges of 5,000 (the floor: a non-HOT update and its index
 * entries per row). See README "Bulk cancel and retry" for the bench's wall-clock figures.
 *
 * `where` is the filter as SQL over task columns (task-filter.ts); its bindings come first, and
 * again where the statement repeats it (bulkBatchBindings puts them in order).
 */

export type BulkAction = 'cancel' | 'retry';

function batchCte(where: string, pass: BulkPass): string {
  if (pass === 'skipLocked') {
    return `
    batch as materialized (
      select ctid, id, status, seq from task
       where ${where} and status = any(?::text[]) and seq > ?::bigint and seq <= ?::bigint
       order by seq
       limit ?
       for update skip locked
    ), span as (
      select count(*)::int as scanned, max(seq) as last_seq from batch
    ), seen as (
      -- The snapshot's rows of the same range: the batch's end, or the bound when it ran short.
      select count(*)::int as n from task
       where ${where} and status = any(?::text[]) and seq > ?::bigint
         and seq <= (select case when scanned < ? then ?::bigint else last_seq end from span)
    )`;
  }
  return `
    candidates as (
      select id, seq from task
       where ${where} and status = any(?::text[]) and seq > ?::bigint and seq <= ?::bigint
       order by seq
       limit ?
    ), batch as materialized (
      -- Re-checked under lock: a candidate that left the filter meanwhile drops out.
      select ctid, id, status, seq from task
       where id = any(array(select id from candidates)) and ${where} and status = any(?::text[])
       order by id
       for update
    ), span as (
      select count(*)::int as scanned, max(seq) as last_seq from candidates
    ), seen as (
      select null::int as n
    )`;
}

/**
 * cancelTasks: the batch CANCELLED as cancelTask leaves a task (reason and cancelledAt in
 * metadata, lease dropped); one event each. Extra bindings: reason, cancelledAt (ISO text).
 */
function cancelChange(target: string): string {
  return `
    changed as (
      update task t
         set status = 'CANCELLED', updated_at = now(), worker_id = null, lease_expires_at = null, available_at = null,
             metadata = t.metadata || jsonb_build_object('reason', ?::text, 'cancelledAt', ?::text)
        from batch b
       where ${target} and t.id = b.id and t.status not in ('COMPLETED', 'CANCELLED')
      returning t.id, t.project_id, b.status as previous_status
    ), logged as (
      insert into task_event (task_id, project_id, previous_status, status)
      select id, project_id, previous_status, 'CANCELLED' from changed
    )`;
}

/**
 * retryTasks: the batch's FAILED tasks back to the queue at once, as retryTask does (FAILED ->
 * RETRYING -> READY, both logged, in that order per task: identity order follows insert order).
 * Its BLOCKED tasks stay locked for the unblocking step. Extra binding: retriedAt (ISO text).
 */
function retryChange(target: string): string {
  return `
    changed as (
      update task t
         set status = 'READY', available_at = null, updated_at = now(),
             metadata = (t.metadata - 'retryAt') || jsonb_build_object('retriedAt', ?::text)
        from batch b
       where ${target} and t.id = b.id and b.status = 'FAILED' and t.status = 'FAILED'
      returning t.id, t.project_id
    ), logged as (
      insert into task_event (task_id, project_id, previous_status, status)
      select id, project_id, 'FAILED', 'RETRYING' from changed
      union all
      select id, project_id, 'RETRYING', 'READY' from changed
    )`;
}

export function bulkBatchSql(where: string, action: BulkAction, pass: BulkPass): string {
  const blocked = action === 'retry' ? `(select array_agg(id order by id)::text[] from batch where status = 'BLOCKED')` : `'{}'::text[]`;
  // The rows to change: by ctid in the first pass, by id in the second (see above).
  const only = action === 'retry' ? ` where status = 'FAILED'` : '';
  const target = pass === 'skipLocked' ? `t.ctid = any(array(select ctid from batch${only}))` : `t.id = any(array(select id from batch${only}))`;
  return `
  with ${batchCte(where, pass)}, ${action === 'cancel' ? cancelChange(target) : retryChange(target)}
  select (select scanned from span) as scanned,
         (select last_seq from span)::text as last_seq,
         (select n from seen) as seen,
         (select count(*) from changed)::int as changed,
         (select array_agg(distinct d.depends_on_id)::text[] from task_dependency d where d.depends_on_id = any(array(select id from changed))) as roots,
         ${blocked} as blocked`;
}

/** The bindings of bulkBatchSql in the order its `?` appear. */
export function bulkBatchBindings(
  filter: readonly unknown[],
  pass: BulkPass,
  walk: { statuses: readonly string[]; after: string; bound: string; limit: number },
  change: readonly unknown[],
): unknown[] {
  const { statuses, after, bound, limit } = walk;
  const keyset = [...filter, statuses, after, bound, limit];
  const rest = pass === 'skipLocked' ? [...filter, statuses, after, limit, bound] : [...filter, statuses];
  return [...keyset, ...rest, ...change];
}

/** One row of bulkBatchSql. */
export interface BulkBatchRow {
  scanned: number;
  last_seq: string | null;
  seen: number | null;
  changed: number;
  roots: string[] | null;
  blocked: string[] | null;
}

/**
 * dryRun, and a real run's `matched`, walk bound and slices: how many tasks the filter matches,
 * how many the action would change, the highest `seq` among the matched, and the changeable
 * tasks' `seq` at the given quantiles (where the slices are cut; an empty array for none).
 * Bindings: statuses (text[]), quantiles (float8[]), statuses again, then the filter's.
 */
export function bulkCountSql(where: string): string {
  return `
    select count(*)::int as matched,
           (count(*) filter (where status = any(?::text[])))::int as changeable,
           max(seq)::text as bound,
           (percentile_disc(?::float8[]) within group (order by seq) filter (where status = any(?::text[])))::text[] as cuts
      from task where ${where}`;
}
