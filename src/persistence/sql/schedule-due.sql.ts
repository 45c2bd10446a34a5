/**
 * Due schedules, locked for this sweep. SKIP LOCKED: another instance sweeping at the same
 * moment skips a schedule this one holds, and once this transaction commits its advanced
 * `next_run_at` no longer matches (READ COMMITTED re-checks the row), so each tick is decided by
 * exactly one instance. The tick's task also carries a unique idempotency key (`tickKey`) as a
 * second guard. `last_status` is the previous run's status for the SKIP overlap policy (null when
 * it is gone). Uses `schedule_due_idx`.
 */
export const LOCK_DUE_SCHEDULES_SQL = `
  select s.id::text, s.project_id::text, s.name, s.cron, s.timezone, s.task, s.overlap, s.catch_up,
         s.next_run_at, s.last_task_id::text,
         (select t.status from task t where t.id = s.last_task_id) as last_status,
         now() as db_now
    from schedule s
   where not s.paused and s.next_run_at <= now()
   order by s.next_run_at
   limit ?
   for update of s skip locked`;
