import { ALL_TASK_COLUMNS, TaskColumn, taskColumns } from './task-rows';
import { statementVariant, StatementVariant } from './statement-variants';

/**
 * Completion and promotion in one statement (so one autocommit round trip per completeTask):
 *
 * 1. `done`: RUNNING -> COMPLETED, guarded by status and, when named, the lease holder and the
 *    attempt (fencing: a worker whose lease expired cannot complete the attempt that replaced
 *    it, even under the same worker id); a task that is not there simply returns no row (the
 *    request was stale, nothing changed).
 * 2. `counts` / `locked`: the dependents of the completed tasks, locked in id order so concurrent
 *    completions that share dependents cannot deadlock.
 * 3. `counted`: each dependent's `waiting_on` drops by the number of its dependencies completed
 *    here; a PENDING one that reaches zero becomes READY (SCHEDULED while its
 *    `run_at` is ahead: the sweeper promotes it then). When the lock had to wait for another
 *    completion, UPDATE re-evaluates against the newest committed row, so the sibling's
 *    decrement is counted and the last completion of a join promotes it. (A "are all my
 *    dependencies COMPLETED?" check instead would read the statement's older snapshot and could
 *    leave the join PENDING forever.)
 * 4. Both kinds of transition are logged by one insert, completions first.
 *
 * Inputs are parallel arrays (ids, worker ids or null, results as JSON text, attempts or null,
 * and the WORKER token that must have claimed the task or null: src/auth "own leases only"; both
 * guards apply together): one statement for
 * completeTask and completeTasks alike. Uses task_dependency_depends_on_idx.
 */
function buildCompleteSql(columns: readonly TaskColumn[], allOrNothing: boolean): string {
  return `
  with input as (
    select * from unnest(?::uuid[], ?::text[], ?::jsonb[], ?::int[], ?::uuid[]) with ordinality as x(id, worker_id, result, attempt, token_id, n)
  ), done as (
    update task t
       set status = 'COMPLETED', result = input.result, completed_at = now(), updated_at = now(),
           worker_id = null, lease_expires_at = null
      from input
     where t.id = input.id and t.status = 'RUNNING' and (input.worker_id is null or t.worker_id = input.worker_id)
       and (input.attempt is null or t.attempt = input.attempt)
       and (input.token_id is null or t.claimed_by_token_id = input.token_id)
    returning t.*
  ), counts as (
    select d.task_id as id, count(*)::int as n
      from task_dependency d join done on done.id = d.depends_on_id
     group by d.task_id
  ), locked as (
    select t.id, counts.n from task t join counts on counts.id = t.id
     order by t.id
     for update of t
  ), counted as (
    update task t
       set waiting_on = t.waiting_on - locked.n,
           status = case when t.status = 'PENDING' and t.waiting_on - locked.n = 0
                         then case when t.run_at > now() then 'SCHEDULED' else 'READY' end else t.status end,
           updated_at = now()
      from locked
     where t.id = locked.id
    returning t.id, t.project_id, t.status, t.waiting_on
  ), logged as (
    -- One insert, completions first: the log keeps cause before effect.
    insert into task_event (task_id, project_id, previous_status, status)
    select task_id, project_id, previous_status, status from (
      select 1 as step, id as task_id, project_id, 'RUNNING' as previous_status, 'COMPLETED' as status from done
      union all
      select 2, id, project_id, 'PENDING', status from counted where status in ('READY', 'SCHEDULED') and waiting_on = 0
    ) transitions
    order by step, task_id
  )
  select ${taskColumns('done', columns)} from done${allOrNothing ? ALL_OR_NOTHING : ''}`;
}

/**
 * completeTasks' batch is all or nothing in one autocommit statement: when any input was refused,
 * taskq_refuse_unless (migration all_or_nothing) fails the statement, naming the first refused
 * id, and everything the CTEs changed is rolled back. (When none completed, the WHERE is never
 * evaluated: nothing changed, and the caller sees no rows.)
 */
const ALL_OR_NOTHING = `
   where taskq_refuse_unless(
           (select count(*) from done) = (select count(*) from input),
           (select i.id::text from input i where not exists (select 1 from done where done.id = i.id) order by i.n limit 1))`;

/** SQLSTATE raised by taskq_refuse_unless; its DETAIL is the refused task's id. */
export const REFUSED_SQLSTATE = 'TQ409';

/** The completion returning `columns` (all by default), one named statement per column set. */
export function completeStatement(columns: readonly TaskColumn[] = ALL_TASK_COLUMNS): StatementVariant {
  return statementVariant('complete', columns, (c) => buildCompleteSql(c, false));
}

/** The same, all or nothing (completeTasks): see ALL_OR_NOTHING. */
export function completeAllStatement(columns: readonly TaskColumn[] = ALL_TASK_COLUMNS): StatementVariant {
  return statementVariant('complete_all', columns, (c) => buildCompleteSql(c, true));
}

export const COMPLETE_SQL = completeStatement().text;
