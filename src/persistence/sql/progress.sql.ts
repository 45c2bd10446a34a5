import { taskColumns } from './task-rows';

/**
 * A progress report: sets task.progress on the running attempt, guarded by status, holder, when
 * given the attempt (a stale worker's report changes nothing), and for a WORKER token the token
 * the task was claimed with (src/auth "own leases only"). Not a status change: no
 * event-log row (progress travels on its own channel, src/events/progress-channel.ts).
 * Bindings: percent, message, task id, worker id, attempt (nullable, given twice), claiming
 * token id (nullable = any, given twice).
 */
export const REPORT_PROGRESS_SQL = `
  update task
     set progress = jsonb_build_object('percent', ?::float8, 'message', ?::text,
                                       'at', to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
         updated_at = now()
   where id = ? and status = 'RUNNING' and worker_id = ? and (?::int is null or attempt = ?::int)
     and (?::uuid is null or claimed_by_token_id = ?::uuid)
  returning ${taskColumns()}`;
