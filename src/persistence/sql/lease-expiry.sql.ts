import { endAttemptAssignments } from './end-attempt.sql';

const LEASE_EXPIRED_ERROR = `'lease expired: worker ' || coalesce(t.worker_id, 'unknown') || ' stopped heartbeating'`;

/**
 * Lease expiry (run by the sweeper on every instance; SKIP LOCKED lets them share the work).
 * A RUNNING task whose holder stopped heartbeating is charged an attempt and becomes RETRYING,
 * due at once, or FAILED when its retries are used up. Uses `task_lease_idx`.
 */
export const EXPIRE_LEASES_SQL = `
  with expired as (
    select id, status from task
     where status = 'RUNNING' and lease_expires_at < now()
     order by lease_expires_at
     limit ?
     for update skip locked
  ), updated as (
    update task t${endAttemptAssignments(LEASE_EXPIRED_ERROR, 'expiredWorkerId')}
      from expired
     where t.id = expired.id
    returning t.id, t.project_id, t.status
  ), logged as (
    insert into task_event (task_id, project_id, previous_status, status)
    select id, project_id, 'RUNNING', status from updated
  )
  select id::text, project_id::text, status from updated`;

/** RETRYING tasks whose retry time has come become READY (so `taskReady` fires when they are due). */
export const PROMOTE_DUE_RETRIES_SQL = `
  with due as (
    select id from task
     where status = 'RETRYING' and available_at <= now()
     order by available_at
     limit ?
     for update skip locked
  ), promoted as (
    update task t set status = 'READY', available_at = null, updated_at = now()
      from due where t.id = due.id
    returning t.id, t.project_id
  ), logged as (
    insert into task_event (task_id, project_id, previous_status, status)
    select id, project_id, 'RETRYING', 'READY' from promoted
  )
  select count(*)::int as count from promoted`;

/** When the sweeper should look again for due retries. */
export const NEXT_RETRY_DUE_SQL = `select min(available_at) as next from task where status = 'RETRYING'`;
