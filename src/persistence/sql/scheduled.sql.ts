/**
 * SCHEDULED tasks whose `run_at` has come become READY, logged like every transition (so
 * `taskReady` fires at runAt, never before), up to `?` rows: the CTEs `due`, `promoted` (the ids
 * moved) and `logged`. Walks `task_scheduled_idx (run_at) where status = 'SCHEDULED'` from its
 * head; SKIP LOCKED lets several instances share the work, the status guard makes a second
 * promotion of the same row impossible. One statement, atomic in autocommit: no BEGIN/COMMIT
 * round trips, which is what keeps READY within milliseconds of runAt.
 */
export const PROMOTE_DUE_SCHEDULED_CTES = `
  with due as (
    select id from task
     where status = 'SCHEDULED' and run_at <= now()
     order by run_at
     limit ?
     for update skip locked
  ), promoted as (
    update task t set status = 'READY', updated_at = now()
     where t.id = any(array(select id from due)) and t.status = 'SCHEDULED'
    returning t.id, t.project_id
  ), logged as (
    insert into task_event (task_id, project_id, previous_status, status)
    select id, project_id, 'SCHEDULED', 'READY' from promoted order by id
  )`;

/**
 * The promotion alone, counting what moved (the regular sweep). The sweeper's wake-ups at a
 * runAt use PROMOTE_SCHEDULED_AND_NEXT_DUE_SQL: the same CTEs plus the next due times.
 */
export const PROMOTE_DUE_SCHEDULED_SQL = `${PROMOTE_DUE_SCHEDULED_CTES}
  select count(*)::int as count from promoted`;
