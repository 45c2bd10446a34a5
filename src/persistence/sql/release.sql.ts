import { ALL_TASK_COLUMNS, TaskColumn, taskColumns } from './task-rows';
import { statementVariant, StatementVariant } from './statement-variants';

/**
 * Hands RUNNING tasks back to the queue at once (releaseTask(s): a worker that shuts down, or
 * gives up a task it cannot run now): RUNNING -> READY without charging a retry (retry_count and
 * priority unchanged; the next claim starts a new attempt). Each input is guarded by status,
 * holder, when given the attempt (fencing), and for a WORKER token the token the task was claimed
 * with (src/auth "own leases only"): one whose lease was lost, or that another token claimed,
 * returns no row and changes nothing. The transition is logged in the same statement, so taskReady fires after
 * commit. Locks rows in id order (the ORDER BY in `locked`) so two batches that overlap cannot
 * deadlock.
 *
 * Bindings: parallel arrays of task ids (uuid[]), worker ids (text[]), attempts (int[], nulls
 * allowed), claiming token ids (uuid[], null = any).
 */
function buildReleaseSql(columns: readonly TaskColumn[]): string {
  return `
    with input as (
      select * from unnest(?::uuid[], ?::text[], ?::int[], ?::uuid[]) as x(id, worker_id, attempt, token_id)
    ), locked as (
      select t.id from task t join input on input.id = t.id
       where t.status = 'RUNNING' and t.worker_id = input.worker_id
         and (input.attempt is null or t.attempt = input.attempt)
         and (input.token_id is null or t.claimed_by_token_id = input.token_id)
       order by t.id
       for update of t
    ), released as (
      update task t
         set status = 'READY', worker_id = null, lease_expires_at = null, available_at = null, updated_at = now()
        from locked
       where t.id = locked.id and t.status = 'RUNNING'
      returning t.*
    ), logged as (
      insert into task_event (task_id, project_id, previous_status, status)
      select id, project_id, 'RUNNING', 'READY' from released order by id
    )
    select ${taskColumns(undefined, columns)} from released`;
}

export function releaseStatement(columns: readonly TaskColumn[] = ALL_TASK_COLUMNS): StatementVariant {
  return statementVariant('release', columns, buildReleaseSql);
}
