/**
 * Completion, guarded: only a RUNNING task (held by the named worker, when one is named) moves
 * to COMPLETED; zero rows back means the request was stale and nothing changed.
 *
 * The same statement locks the PENDING dependents (in id order, so concurrent completions
 * cannot deadlock) and returns their ids. Whether they are now ready is decided by a *second*
 * statement (promote.sql.ts): under READ COMMITTED, a statement that waited for a lock still
 * reads with the snapshot it started with, so checking "all dependencies COMPLETED" in this
 * statement could miss a sibling dependency completed by the transaction we waited for, and
 * the dependent would stay PENDING forever.
 */
export const COMPLETE_SQL = `
  with done as (
    update task
       set status = 'COMPLETED', result = ?::jsonb, completed_at = now(), updated_at = now(),
           worker_id = null, lease_expires_at = null
     where id = ? and status = 'RUNNING' and (?::text is null or worker_id = ?::text)
    returning *
  ), logged as (
    insert into task_event (task_id, project_id, previous_status, status)
    select id, project_id, 'RUNNING', 'COMPLETED' from done
  ), dependents as (
    select t.id from task t
     where t.id in (select d.task_id from task_dependency d where d.depends_on_id in (select id from done))
       and t.status = 'PENDING'
     order by t.id
     for update
  )
  select done.*, (select coalesce(array_agg(id::text), '{}') from dependents) as locked_dependents from done`;

/**
 * Batch completion (completeTasks): rows are locked in id order first (deterministic, see
 * above), then updated by one statement; dependents are locked the same way.
 */
export const LOCK_TASKS_SQL = `select id from task where id = any(?::uuid[]) order by id for update`;

export const COMPLETE_MANY_SQL = `
  with input as (
    select * from unnest(?::uuid[], ?::text[], ?::jsonb[]) as x(id, worker_id, result)
  ), done as (
    update task t
       set status = 'COMPLETED', result = input.result, completed_at = now(), updated_at = now(),
           worker_id = null, lease_expires_at = null
      from input
     where t.id = input.id and t.status = 'RUNNING' and (input.worker_id is null or t.worker_id = input.worker_id)
    returning t.*
  ), logged as (
    insert into task_event (task_id, project_id, previous_status, status)
    select id, project_id, 'RUNNING', 'COMPLETED' from done
  )
  select * from done`;

export const LOCK_PENDING_DEPENDENTS_SQL = `
  select t.id from task t
   where t.id in (select d.task_id from task_dependency d where d.depends_on_id = any(?::uuid[]))
     and t.status = 'PENDING'
   order by t.id
   for update`;
