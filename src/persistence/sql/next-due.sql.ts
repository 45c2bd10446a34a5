/**
 * When the sweeper must look next: the earliest of a due retry (`task_retry_due_idx`), a
 * scheduled run (`task_scheduled_idx`), an attempt deadline (`task_timeout_idx`) and a schedule's
 * next tick (`schedule_due_idx`). Each `min` reads the head of its partial index, so this costs
 * four index probes however many rows wait; the sweeper sleeps until then instead of polling.
 */
export const NEXT_DUE_SQL = `
  select least(
    (select min(available_at) from task where status = 'RETRYING'),
    (select min(run_at) from task where status = 'SCHEDULED'),
    (select min(task_timeout_at(started_at, timeout_seconds)) from task where status = 'RUNNING' and timeout_seconds is not null),
    (select min(next_run_at) from schedule where not paused)
  ) as next`;
