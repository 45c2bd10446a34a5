import { ALL_TASK_COLUMNS, TaskColumn, taskColumns } from './task-rows';
import { statementVariant, StatementVariant } from './statement-variants';

/**
 * The claim: takes the head of the ready queue for one project, for one or many claimers at
 * once (the server coalesces concurrent claims on a queue into one statement: coalescer.ts).
 *
 * Each claimer brings "slots", one per task it asked for: parallel arrays of worker id and lease
 * seconds, in arrival order. The statement locks as many rows as there are slots, numbers them
 * in queue order and gives row n to slot n, so the earliest claimer gets the head of the queue.
 * Rows come back with their slot number; slots beyond the rows available get nothing.
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
 *
 * Bindings: worker ids (text[]), lease seconds (float8[]), claiming token ids (uuid[], null for
 * a token not stored in the database), project id, [assigned_to,] slot count.
 * `claimed_by_token_id` records the token each task was claimed with: a WORKER token may then
 * heartbeat/complete/fail only the tasks it claimed itself (src/auth, "own leases only").
 */
function buildClaimSql(withAssignedTo: boolean, columns: readonly TaskColumn[]): string {
  return `
    with slots as (
      select * from unnest(?::text[], ?::float8[], ?::uuid[]) with ordinality as s(worker_id, lease, token_id, n)
    ), picked as (
      select id, status, effective_priority, seq from task
      where project_id = ?
        and status in ('READY', 'RETRYING')
        and (status = 'READY' or available_at <= now())
        ${withAssignedTo ? 'and assigned_to = ?' : ''}
      order by effective_priority desc, seq
      limit ?
      for update skip locked
    ), next as (
      -- Numbered apart from the locking query: FOR UPDATE does not combine with window functions.
      select id, status, row_number() over (order by effective_priority desc, seq) as n from picked
    ), claimed as (
      update task t
         set status = 'RUNNING', worker_id = slots.worker_id, claimed_by_token_id = slots.token_id, lease_expires_at = now() + make_interval(secs => slots.lease),
             started_at = now(), updated_at = now(), available_at = null, attempt = t.attempt + 1
        from next join slots on slots.n = next.n
       where t.id = next.id
      returning t.*, next.status as previous_status, next.n as claim_slot
    ), logged as (
      insert into task_event (task_id, project_id, previous_status, status)
      select id, project_id, previous_status, 'RUNNING' from claimed order by claim_slot
    )
    select ${taskColumns(undefined, columns)}, claim_slot from claimed order by claim_slot`;
}

/**
 * The claim returning `columns` (all by default): a named statement, built once per column set,
 * so every call passes the same string object and statement name.
 */
export function claimStatement(withAssignedTo: boolean, columns: readonly TaskColumn[] = ALL_TASK_COLUMNS): StatementVariant {
  return statementVariant(withAssignedTo ? 'claim_assigned' : 'claim', columns, (c) => buildClaimSql(withAssignedTo, c));
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
