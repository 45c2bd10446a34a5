/**
 * Database-derived gauges for /metrics (src/observability/database-gauges.ts), read once per
 * scrape. They read the shared database with its clock, so every instance reports the same
 * values (aggregate with `max without(instance)` in Prometheus).
 *
 * Counts by project and status: a GROUP BY over task_project_status_idx (an index-only scan once
 * the visibility map is set): ~20 ms at 100,000 tasks here, once per scrape interval.
 */
export const TASK_COUNTS_SQL = `
  select project_id as "projectId", status, count(*)::int as count
    from task
   group by project_id, status`;

/**
 * The oldest READY task per project, by when it last changed (for a READY task: when it became
 * READY, or a later priority change). READY rows are few next to finished ones, and the status
 * index narrows the read to them.
 */
export const OLDEST_READY_SQL = `
  select project_id as "projectId", extract(epoch from now() - min(updated_at))::float8 as age
    from task
   where status = 'READY'
   group by project_id`;

/** Distinct lease holders per project (workers with a task RUNNING), via the partial lease index. */
export const ACTIVE_WORKERS_SQL = `
  select project_id as "projectId", count(distinct worker_id)::int as workers
    from task
   where status = 'RUNNING' and worker_id is not null
   group by project_id`;
