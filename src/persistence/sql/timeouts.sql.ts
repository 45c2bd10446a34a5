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
    update task t
       set status = case when t.retry_count < t.max_retries then 'RETRYING' else 'FAILED' end,
           retry_count = case when t.retry_count < t.max_retries then t.retry_count + 1 else t.retry_count end,
           available_at = case when t.retry_count < t.max_retries then now() else null end,
           metadata = t.metadata || jsonb_build_object(
             'error', 'Timed out after ' || t.timeout_seconds || ' s (worker ' || coalesce(t.worker_id, 'unknown') || ')',
             'failedAt', now(), 'timedOutWorkerId', t.worker_id)
             || case when t.retry_count < t.max_retries then jsonb_build_object('retryAt', now()) else '{}'::jsonb end,
           worker_id = null, lease_expires_at = null, updated_at = now()
      from expired
     where t.id = expired.id and t.status = 'RUNNING'
    returning t.id, t.project_id, t.status
  ), logged as (
    insert into task_event (task_id, project_id, previous_status, status)
    select id, project_id, 'RUNNING', status from updated order by id
  )
  select id::text, project_id::text, status from updated`;
