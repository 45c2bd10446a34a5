/**
 * Bulk cancel / retry (cancelTasks, retryTasks): a filter's tasks are changed in batches, each
 * batch its own short transaction, so no lock is held for long and workers keep claiming and
 * completing in between (100,000 tasks: about a hundred transactions of a few tens of ms).
 *
 * Each batch walks the filter in creation order from a keyset position (`seq > ?`, on
 * task_project_seq_idx), takes the next `limit` tasks in a status the action changes, locks them
 * in id order (the order block.sql.ts and the completion lock in, so a batch cannot deadlock
 * with them) and changes them with the guard re-checked on the locked row. Every change is an
 * event row written in the same statement, as the single-task mutations write them.
 *
 * `where` is the filter as SQL over task columns (task-filter.ts) with its bindings first.
 */
/**
 * Step 1 of a batch (both actions): the next `limit` tasks of the filter in a status the action
 * changes, after the keyset position, locked in id order. Looked up by id through the primary
 * key (`= any(array(…))`): a join here was planned as a hash join over the whole task table,
 * once per batch. Bindings: the filter's, statuses (text[]), after seq, limit.
 */
export function bulkLockSql(where: string): string {
  return `
    with batch as (
      select id from task
       where ${where} and status = any(?::text[]) and seq > ?::bigint
       order by seq
       limit ?
    )
    select t.id::text, t.status, t.seq::text from task t where t.id = any(array(select id from batch)) order by t.id for update`;
}

/**
 * cancelTasks, step 2: the locked batch CANCELLED as cancelTask leaves a task (reason and
 * cancelledAt in metadata, lease dropped), guarded again by status; one event per task. The
 * previous statuses come from step 1 (the rows are locked since); `t.id = any(…)` lets the
 * planner reach the rows through the primary key instead of hashing the whole table.
 * Bindings: reason, cancelledAt (ISO text), ids (uuid[]), previous statuses (text[]), ids again.
 */
export const BULK_CANCEL_SQL = `
  with cancelled as (
    update task t
       set status = 'CANCELLED', updated_at = now(), worker_id = null, lease_expires_at = null, available_at = null,
           metadata = t.metadata || jsonb_build_object('reason', ?::text, 'cancelledAt', ?::text)
      from unnest(?::uuid[], ?::text[]) as prev(id, status)
     where t.id = prev.id and t.id = any(?::uuid[]) and t.status not in ('COMPLETED', 'CANCELLED')
    returning t.id, t.project_id, prev.status as previous_status
  ), logged as (
    insert into task_event (task_id, project_id, previous_status, status)
    select id, project_id, previous_status, 'CANCELLED' from cancelled
  )
  select id::text from cancelled`;

/**
 * retryTasks, step 2: FAILED tasks back to the queue at once, as retryTask does (FAILED ->
 * RETRYING -> READY, both logged, in that order per task: identity order follows insert order).
 */
export const BULK_RETRY_FAILED_SQL = `
  with retried as (
    update task t
       set status = 'READY', available_at = null, updated_at = now(),
           metadata = (t.metadata - 'retryAt') || jsonb_build_object('retriedAt', ?::text)
     where t.id = any(?::uuid[]) and t.status = 'FAILED'
    returning t.id, t.project_id
  ), logged as (
    insert into task_event (task_id, project_id, previous_status, status)
    select id, project_id, 'FAILED', 'RETRYING' from retried
    union all
    select id, project_id, 'RETRYING', 'READY' from retried
  )
  select id::text from retried`;

/** dryRun, and `matched` of a real run: how many tasks the filter matches, and how many the action would change. */
export function bulkCountSql(where: string): string {
  return `select count(*)::int as matched, (count(*) filter (where status = any(?::text[])))::int as changeable from task where ${where}`;
}
