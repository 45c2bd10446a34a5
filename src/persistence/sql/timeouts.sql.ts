import { endAttemptAssignments } from './end-attempt.sql';

const TIMED_OUT_ERROR = `'Timed out after ' || t.timeout_seconds || ' s (worker ' || coalesce(t.worker_id, 'unknown') || ')'`;

/**
 * Attempt timeouts: a RUNNING task with `timeout_seconds` that is still running that long after
 * its claim (`started_at`, which heartbeats never move) is ended like an expired lease: charged
 * an attempt and RETRYING (due at once) or FAILED when its retries are used up, with
 * `metadata.error` saying it timed out. The deadline is `task_timeout_at(started_at,
 * timeout_seconds)`, the expression of `task_timeout_idx`, so the sweeper finds due rows and the
 * next deadline from the head of that index.
 */
export const EXPIRE_TIMEOUTS_SQL = `
  with expired as (
    select id from task
     where status = 'RUNNING' and timeout_seconds is not null
       and task_timeout_at(started_at, timeout_seconds) <= now()
     order by task_timeout_at(started_at, timeout_seconds)
     limit ?
     for update skip locked
  ), updated as (
    update task t${endAttemptAssignments(TIMED_OUT_ERROR, 'timedOutWorkerId')}
      from expired
     where t.id = expired.id and t.status = 'RUNNING'
    returning t.id, t.project_id, t.status
  ), logged as (
    insert into task_event (task_id, project_id, previous_status, status)
    select id, project_id, 'RUNNING', status from updated order by id
  )
  select id::text, project_id::text, status from updated`;
