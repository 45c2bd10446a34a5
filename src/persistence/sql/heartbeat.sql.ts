import { ALL_TASK_COLUMNS, TaskColumn, taskColumns } from './task-rows';
import { statementVariant, StatementVariant } from './statement-variants';

/**
 * Lease extension, guarded by status and holder: returns no row when the caller no longer holds
 * the task. Workers send it often, so it is a prepared statement per returned column set like
 * the claim and the completion. ? lease seconds, ? task id, ? worker id, ? ? the WORKER token
 * that must have claimed the task (null: any; src/auth "own leases only").
 */
export function heartbeatStatement(columns: readonly TaskColumn[] = ALL_TASK_COLUMNS): StatementVariant {
  return statementVariant(
    'heartbeat',
    columns,
    (c) => `
      update task set lease_expires_at = now() + make_interval(secs => ?), updated_at = now()
       where id = ? and status = 'RUNNING' and worker_id = ? and (?::uuid is null or claimed_by_token_id = ?::uuid)
      returning ${taskColumns(undefined, c)}`,
  );
}
