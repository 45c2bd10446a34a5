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
 * Pause (flow control): a paused project gives nothing; the flag is read once per statement.
 *
 * Concurrency limits (flow control): at most `limit` tasks with a limited `concurrency_key`
 * RUNNING at once, strictly, across instances. Counting and taking must be serialised per key,
 * or two claims (on two instances, in two transactions) each count 2 of 3 running and both take
 * the third place. Only when the project has limits (`exists` on `concurrency_limit`, a one-time
 * filter: otherwise the function is never called), `allowance` calls claim_key_allowance
 * (migration 20261203050000), which locks the project's limit rows FOR UPDATE in key order and
 * then counts RUNNING tasks per key in a fresh snapshot (a VOLATILE function's own statement, so
 * it sees every claim that committed before the lock was granted: the lock is held until this
 * claim commits). The candidates are then taken as before (`FOR UPDATE SKIP LOCKED`), minus keys
 * with no place left (they are skipped at the index walk, so a long run of over-limit tasks at
 * the head cannot starve the tasks behind it); of each limited key only the first `allowed`
 * candidates are given out. The others are released at commit untouched: still READY, with
 * their place (priority, seq) unchanged. The price: in a project that has limits, claim
 * statements queue one at a time behind the limit rows (each holds them for one short statement;
 * the coalescer already sends one per instance and queue). Projects without limits keep the
 * old plan plus two one-time checks (limits exist? paused?) and a `concurrency_key is null or …`
 * filter; the per-key ranking runs only for candidates that carry a key.
 * A batch whose head holds more tasks of a limited key than it may start can return fewer tasks
 * than asked for (never none while something is claimable): the claimer asks again.
 *
 * Bindings (claimBindings): worker ids (text[]), lease seconds (float8[]), claiming token ids
 * (uuid[], null for a token not stored in the database), project id twice (limits), project id,
 * [assigned_to,] project id (paused), slot count twice, then the "try again" probe's project id
 * [and assigned_to]. Slot 0 is that probe's row, never a task: callers drop it.
 * Every row also carries `claim_timeout_seconds` (whatever columns the caller asked for): the
 * sweeper is told the earliest timeout deadline of the attempts a claim started (claim-tasks.ts).
 * `claimed_by_token_id` records the token each task was claimed with: a WORKER token may then
 * heartbeat/complete/fail only the tasks it claimed itself (src/auth, "own leases only").
 */
function buildClaimSql(withAssignedTo: boolean, columns: readonly TaskColumn[]): string {
  return `
    with slots as (
      select * from unnest(?::text[], ?::float8[], ?::uuid[]) with ordinality as s(worker_id, lease, token_id, n)
    ), allowance as materialized (
      select a.key, a.allowed from claim_key_allowance(?::uuid) a
       where exists (select 1 from concurrency_limit l where l.project_id = ?::uuid)
    ), picked as (
      select id, status, effective_priority, seq, concurrency_key from task
      where project_id = ?
        and status in ('READY', 'RETRYING')
        and (status = 'READY' or available_at <= now())
        ${withAssignedTo ? 'and assigned_to = ?' : ''}
        and (concurrency_key is null or concurrency_key not in (select key from allowance where allowed <= 0))
        and not coalesce((select paused from project where id = ?::uuid), false)
      order by effective_priority desc, seq
      limit ?
      for update skip locked
    ), keyed_allowed as (
      -- Of each limited key, the first \`allowed\` candidates. Only evaluated when a candidate has
      -- a key (the OR below stops at \`concurrency_key is null\`): unkeyed claims never rank.
      select r.id from (
        select id, concurrency_key, row_number() over (partition by concurrency_key order by effective_priority desc, seq) as key_rank
          from picked where concurrency_key is not null
      ) r left join allowance a on a.key = r.concurrency_key
       where a.key is null or r.key_rank <= a.allowed
    ), next as (
      -- Numbered apart from the locking query: FOR UPDATE does not combine with window functions.
      select id, status, row_number() over (order by effective_priority desc, seq) as n from picked
       where concurrency_key is null or id in (select id from keyed_allowed)
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
    select ${taskColumns(undefined, columns)}, claim_slot, timeout_seconds as claim_timeout_seconds from claimed
    union all
    -- Fewer rows than slots, yet claimable rows remain (locked for a moment by someone else, so
    -- SKIP LOCKED passed them): one row of nulls with claim_slot 0 tells the caller to try again
    -- shortly rather than report an empty queue. The CASE looks only when slots went unfilled;
    -- the probe is a function (Migration20261205010000_claimable_remains) and the nulls are typed
    -- without naming the table, so that planning the claim plans neither a probe nor a scan.
    select ${columns.map((c) => `(null::task).${c}`).join(', ')}, 0, null
     where case when (select count(*) from claimed) >= ? then false
                else taskq_claimable_remains(?::uuid, ${withAssignedTo ? '?::text' : 'null'}, array(select id from claimed)) end
    order by claim_slot`;
}

/** The positional bindings of the claim statement (claimStatement), in its order. */
export function claimBindings(slots: { workers: string[]; leases: number[]; tokens: (string | null)[] }, projectId: string, assignedTo: string | null): unknown[] {
  const queue = assignedTo === null ? [projectId] : [projectId, assignedTo];
  const n = slots.workers.length;
  return [slots.workers, slots.leases, slots.tokens, projectId, projectId, ...queue, projectId, n, n, ...queue];
}

/**
 * The claim returning `columns` (all by default): a named statement, built once per column set,
 * so every call passes the same string object and statement name.
 */
export function claimStatement(withAssignedTo: boolean, columns: readonly TaskColumn[] = ALL_TASK_COLUMNS): StatementVariant {
  return statementVariant(withAssignedTo ? 'claim_assigned' : 'claim', columns, (c) => buildClaimSql(withAssignedTo, c));
}
