import { ALL_TASK_COLUMNS, TaskColumn, taskColumns } from './task-rows';
import { statementVariant, StatementVariant } from './statement-variants';

/**
 * Lease extension for one or many leases in one statement (heartbeatTask and heartbeatTasks; a
 * worker renews every lease it holds in one call). Each input is guarded by status, holder,
 * when given the attempt (fencing), and for a WORKER token the token the task was claimed with
 * (src/auth "own leases only"): an input whose lease was lost, or that another token claimed,
 * returns no row and changes nothing. Workers send it often, so it is a prepared statement per
 * returned column set like the claim and the completion. Uses the primary key only.
 *
 * Bindings: parallel arrays of task ids (uuid[]), worker ids (text[]), attempts (int[], null
 * entries = not fenced), lease seconds (float8[]), claiming token ids (uuid[], null = any).
 */
export function heartbeatStatement(columns: readonly TaskColumn[] = ALL_TASK_COLUMNS): StatementVariant {
  return statementVariant(
    'heartbeat',
    columns,
    (c) => `
      with input as (
        select * from unnest(?::uuid[], ?::text[], ?::int[], ?::float8[], ?::uuid[]) as x(id, worker_id, attempt, lease, token_id)
      )
      update task t set lease_expires_at = now() + make_interval(secs => input.lease), updated_at = now()
        from input
       where t.id = input.id and t.status = 'RUNNING' and t.worker_id = input.worker_id
         and (input.attempt is null or t.attempt = input.attempt)
         and (input.token_id is null or t.claimed_by_token_id = input.token_id)
      returning ${taskColumns('t', c)}`,
  );
}
