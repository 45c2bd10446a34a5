import { PROMOTE_DUE_SCHEDULED_CTES } from './scheduled.sql';

/**
 * When the sweeper must act next, per kind, on the database's clock: a SCHEDULED task's runAt
 * (`task_scheduled_idx`), an attempt's timeout deadline (`task_timeout_idx`), a lease's expiry
 * (`task_lease_idx`), a due retry (`task_retry_due_idx`) and a schedule's next tick
 * (`schedule_due_idx`). Each `min` reads the head of its partial index, so this costs five index
 * probes however many rows wait. `excluded` names a CTE of task ids to leave out of the runAt
 * probe (rows the same statement just promoted: its snapshot still sees them SCHEDULED).
 */
function nextDueColumns(excluded: string): string {
  return `
         (select min(run_at) from task where status = 'SCHEDULED' and id not in (select id from ${excluded})) as scheduled,
         (select min(task_timeout_at(started_at, timeout_seconds)) from task where status = 'RUNNING' and timeout_seconds is not null) as timeout,
         (select min(lease_expires_at) from task where status = 'RUNNING') as lease,
         (select min(available_at) from task where status = 'RETRYING') as retry,
         (select min(next_run_at) from schedule where not paused) as tick,
         now() as db_now`;
}

/**
 * The sweeper's wake-up in one round trip: SCHEDULED tasks whose `run_at` has come become READY
 * (as PROMOTE_DUE_SCHEDULED_SQL does, logged like every transition), and the next due time of
 * every kind is read in the same statement. A wake-up for a runAt is this one statement, then
 * sleep until the next due time: no lookup before it, none after it. Up to `?` rows per
 * statement (the caller passes enough for every row due after a stall; `count` equal to it means
 * "run again"). An autocommit statement: no BEGIN/COMMIT round trips.
 */
export const PROMOTE_SCHEDULED_AND_NEXT_DUE_SQL = `${PROMOTE_DUE_SCHEDULED_CTES}
  select (select count(*)::int from promoted) as count, ${nextDueColumns('promoted')}`;

export interface NextDueRow {
  /** How many SCHEDULED tasks this statement made READY. */
  count: number;
  scheduled: Date | string | null;
  timeout: Date | string | null;
  lease: Date | string | null;
  retry: Date | string | null;
  tick: Date | string | null;
  db_now: Date | string;
}
