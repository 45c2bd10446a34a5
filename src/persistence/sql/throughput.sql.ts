/**
 * The operator dashboard's time series, read from the event log (task_event: one row per
 * status transition, written in the transition's transaction). Nothing is sampled or stored
 * for them, so every instance answers the same, and history is as long as the log is kept
 * (EVENT_RETENTION_HOURS). Both read the log's tail through task_event_at_idx.
 */

/**
 * Transitions per minute from $1 (epoch ms, a minute's start) on, for one project ($2) or all
 * (null): into RUNNING (claimed), COMPLETED, FAILED, RETRYING, and creations (no previous
 * status). Minutes that ended over a minute ago are kept in memory (scheduler/minute-buckets.ts),
 * so a refreshing dashboard reads only the last minutes of the log.
 */
export const THROUGHPUT_SQL = `
  select extract(epoch from date_trunc('minute', e.at))::float8 * 1000 as minute,
         count(*) filter (where e.previous_status is null)::int as created,
         count(*) filter (where e.status = 'RUNNING')::int as claimed,
         count(*) filter (where e.status = 'COMPLETED')::int as completed,
         count(*) filter (where e.status = 'FAILED')::int as failed,
         count(*) filter (where e.status = 'RETRYING')::int as retried
    from task_event e
   where e.at >= to_timestamp(?::float8 / 1000)
     and (?::uuid is null or e.project_id = ?::uuid)
   group by 1`;

/** The database's current minute (epoch ms): where both series end. */
export const CURRENT_MINUTE_SQL = `select extract(epoch from date_trunc('minute', now()))::float8 * 1000 as now`;

/**
 * Net change of each status per minute from $1 (epoch ms) on: +1 for every transition into it,
 * -1 for every transition out of it. Walking back from today's counts by these gives the count of
 * each status at the end of every minute (queue depth over time) without storing samples.
 */
export const STATUS_CHANGES_SQL = `
  with window_events as (
         select date_trunc('minute', e.at) as minute, e.status, e.previous_status
           from task_event e
          where e.at >= to_timestamp(?::float8 / 1000)
            and (?::uuid is null or e.project_id = ?::uuid))
  select extract(epoch from minute)::float8 * 1000 as minute, status, sum(delta)::int as delta
    from (select minute, status, 1 as delta from window_events
          union all
          select minute, previous_status, -1 from window_events where previous_status is not null) d
   group by 1, 2`;

/** Today's count of each status, for one project or all. */
export const STATUS_COUNTS_SQL = `
  select status, count(*)::int as count
    from task
   where (?::uuid is null or project_id = ?::uuid)
   group by status`;
