/**
 * SCHEDULED tasks whose `run_at` has come become READY, logged like every transition (so
 * `taskReady` fires at runAt, never before). Run by the sweeper, which sleeps until the next
 * `run_at` (NEXT_DUE_SQL) rather than polling. Walks `task_scheduled_idx (run_at) where status =
 * 'SCHEDULED'` from its head; SKIP LOCKED lets several instances share the work, the status
 * guard makes a second promotion of the same row impossible.
 */
export const PROMOTE_DUE_SCHEDULED_SQL = `
  with due as (
    select id from task
     where status = 'SCHEDULED' and run_at <= now()
     order by run_at
     limit ?
     for update skip locked
  ), promoted as (
    update task t set status = 'READY', updated_at = now()
      from due where t.id = due.id and t.status = 'SCHEDULED'
    returning t.id, t.project_id
  ), logged as (
    insert into task_event (task_id, project_id, previous_status, status)
    select id, project_id, 'SCHEDULED', 'READY' from promoted order by id
  )
  select count(*)::int as count from promoted`;
