import { ALL_TASK_COLUMNS, TaskColumn, taskColumns } from './task-rows';
import { statementVariant, StatementVariant } from './statement-variants';

/**
 * The claim: takes the head of the ready queue for one project.
 *
 * Strategy: `FOR UPDATE SKIP LOCKED` in a CTE, then update and log in the same statement, so a
 * claim is one round trip and one commit. Concurrent claimers (any number of server instances)
 * skip rows another transaction has locked: no task is ever handed out twice.
 *
 * Order: effective priority (higher first), then the oldest (`seq`, the creation order). It is
 * exactly the order of the partial index `task_claim_idx (project_id, effective_priority desc,
 * seq) where status in ('READY','RETRYING')`, so PostgreSQL walks the index head and
 * stops after LIMIT rows; COMPLETED history does not slow claims (bench: "Scale").
 * RETRYING rows are claimable once `available_at` (their retryAt) has passed.
 */
function buildClaimSql(withAssignedTo: boolean, columns: readonly TaskColumn[]): string {
  return `
    with next as (
      select id, status from task
      where project_id = ?
        and status in ('READY', 'RETRYING')
        and (status = 'READY' or available_at <= now())
        ${withAssignedTo ? 'and assigned_to = ?' : ''}
      order by effective_priority desc, seq
      limit ?
      for update skip locked
    ), claimed as (
      update task t
         set status = 'RUNNING', worker_id = ?, lease_expires_at = now() + make_interval(secs => ?),
             started_at = now(), updated_at = now(), available_at = null
        from next
       where t.id = next.id
      returning t.*, next.status as previous_status
    ), logged as (
      insert into task_event (task_id, project_id, previous_status, status)
      select id, project_id, previous_status, 'RUNNING' from claimed
    )
    select ${taskColumns(undefined, columns)} from claimed order by effective_priority desc, seq`;
}

/**
 * The claim returning `columns` (all by default): a named statement, built once per column set,
 * so every call passes the same string object and statement name.
 */
export function claimStatement(withAssignedTo: boolean, columns: readonly TaskColumn[] = ALL_TASK_COLUMNS): StatementVariant {
  return statementVariant(withAssignedTo ? 'claim_assigned' : 'claim', columns, (c) => buildClaimSql(withAssignedTo, c));
}

export function claimSql(withAssignedTo: boolean, columns: readonly TaskColumn[] = ALL_TASK_COLUMNS): string {
  return claimStatement(withAssignedTo, columns).text;
}

/** Are there claimable rows at all (locked or not)? Tells "queue empty" from "all rows busy". */
export function claimableExistsSql(withAssignedTo: boolean): string {
  return `
    select exists (
      select 1 from task
       where project_id = ?
         and status in ('READY', 'RETRYING')
         and (status = 'READY' or available_at <= now())
         ${withAssignedTo ? 'and assigned_to = ?' : ''}) as found`;
}
