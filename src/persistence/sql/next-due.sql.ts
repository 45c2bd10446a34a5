/**
 * When the sweeper must act next, per kind, with the database's clock: a SCHEDULED task's runAt
 * (`task_scheduled_idx`), an attempt deadline (`task_timeout_idx`), a due retry
 * (`task_retry_due_idx`) and a schedule's next tick (`schedule_due_idx`). Each `min` reads the
 * head of its partial index, so this costs four index probes however many rows wait. The sweeper
 * runs only the steps that are due and sleeps until the earliest of these instead of polling.
 */
export const NEXT_DUE_SQL = `
  select (select min(run_at) from task where status = 'SCHEDULED') as scheduled,
         (select min(task_timeout_at(started_at, timeout_seconds)) from task where status = 'RUNNING' and timeout_seconds is not null) as timeout,
         (select min(available_at) from task where status = 'RETRYING') as retry,
         (select min(next_run_at) from schedule where not paused) as tick,
         now() as db_now`;

export interface NextDueRow {
  scheduled: Date | string | null;
  timeout: Date | string | null;
  retry: Date | string | null;
  tick: Date | string | null;
  db_now: Date | string;
}
