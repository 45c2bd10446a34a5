import { ALL_TASK_COLUMNS, TaskColumn, taskColumns } from './task-rows';
import { statementVariant, StatementVariant } from './statement-variants';

/**
 * createTask / createTasks write in ONE statement, whatever the batch size: the tasks, their
 * dependency edges and their creation events, from parallel arrays (one element per task, or
 * per edge). One statement means one round trip, one plan and, outside a transaction, one commit
 * for a whole group of producers (create-tasks.ts groups concurrent calls). No ORM entity is
 * built on the way in or out (rows come back as Task snapshots, task-rows.ts toTasks).
 *
 * 1. `inserted`: the tasks. `on conflict (project_id, idempotency_key) where idempotency_key is not null do nothing` resolves
 *    concurrent creates with the same idempotency key in the database (the partial unique index
 *    task_idempotency_key_unique): PostgreSQL waits for the other transaction and skips the row
 *    if it committed. Skipped rows simply do not come back; the caller compares counts.
 * 2. `edges`: only for tasks that were inserted, and only to tasks that exist (an input's own
 *    task that was skipped is not one). The edge checks run at the end of the statement, when
 *    `inserted`'s rows are there. A caller that needs all or nothing compares counts and rolls
 *    back its transaction. Edges among the call's own tasks travel as pairs of row numbers
 *    (1-based positions in the input arrays), formatted as array literals by the caller: a
 *    1,000-task DAG has 9,900 of them, and as uuid arrays they took PostgreSQL 19 ms to parse at
 *    Bind (as integers, under 1 ms). A position becomes its task's id by subscripting the
 *    call's ids gathered into one array (`ids`): two hash joins of 9,900 edges against the
 *    input rows took 7.5 ms of the 60 ms a 1,000-task DAG's statement takes, subscripts about
 *    a third of that. Edges to existing tasks name the task by id.
 * 3. `events`: one creation event per inserted task (previous_status null), the event log's
 *    source of taskStatusChanged / taskReady. A skipped (idempotent) create writes none.
 *
 * Statuses, waiting_on, effective priorities and estimates are computed by the caller (domain
 * rules, create-tasks.ts), so the statement does no reads beyond the conflict check.
 */
/** What the statement itself reads back from `inserted` (edges and events), whatever the caller selected. */
const NEEDED: readonly TaskColumn[] = ['id', 'project_id', 'status'];

function buildInsertTasksSql(columns: readonly TaskColumn[], keyed: boolean): string {
  // Only an idempotency key can make a row be skipped: without one, every input row is inserted,
  // so there is no conflict to arbitrate (ON CONFLICT inserts each row speculatively) and no edge
  // to filter out.
  const onlyInserted = (column: string) => (keyed ? `${column} in (select id from inserted)` : 'true');
  const returning = ALL_TASK_COLUMNS.filter((c) => columns.includes(c) || NEEDED.includes(c));
  return `
  with input as (
    select * from rows from (
      unnest(?::uuid[]), unnest(?::uuid[]), unnest(?::text[]), unnest(?::text[]), unnest(?::smallint[]),
      unnest(?::smallint[]), unnest(?::text[]), unnest(?::int[]),
      jsonb_array_elements(?::jsonb), jsonb_array_elements(?::jsonb),
      unnest(?::int[]), unnest(?::text[]), unnest(?::uuid[]), unnest(?::timestamptz[]),
      jsonb_array_elements(?::jsonb), json_array_elements(?::json),
      unnest(?::timestamptz[]), unnest(?::int[]), unnest(?::text[]), unnest(?::text[])
    ) with ordinality as i(id, project_id, title, description, priority, effective_priority, status, waiting_on,
           context, metadata, max_retries, assigned_to, parent_task_id, deadline_at, retry_policy, complexity,
           run_at, timeout_seconds, idempotency_key, concurrency_key, n)
  ), inserted as (
    insert into task (id, project_id, title, description, priority, effective_priority, status, waiting_on,
                      context, metadata, max_retries, assigned_to, parent_task_id, deadline_at, retry_policy, complexity,
                      run_at, timeout_seconds, idempotency_key, concurrency_key, created_at, updated_at)
    select i.id, i.project_id, i.title, i.description, i.priority, i.effective_priority, i.status, i.waiting_on,
           i.context, i.metadata, i.max_retries, i.assigned_to, i.parent_task_id, i.deadline_at,
           nullif(i.retry_policy, 'null'::jsonb), i.complexity,
           i.run_at, i.timeout_seconds, i.idempotency_key, i.concurrency_key, ?::timestamptz, ?::timestamptz
      from input i
    ${keyed ? 'on conflict (project_id, idempotency_key) where idempotency_key is not null do nothing' : ''}
    returning ${taskColumns(undefined, returning)}
  ), ids as (
    select array_agg(i.id order by i.n) as a from input i
  ), edges as (
    insert into task_dependency (task_id, depends_on_id)
    select ids.a[e.t], ids.a[e.d] from ids, unnest(?::text::int[], ?::text::int[]) as e(t, d)
     where ${onlyInserted('ids.a[e.t]')} and ${onlyInserted('ids.a[e.d]')}
    union all
    select ids.a[e.t], e.depends_on_id from ids, unnest(?::text::int[], ?::uuid[]) as e(t, depends_on_id)
     where ${onlyInserted('ids.a[e.t]')}
  ), events as (
    insert into task_event (task_id, project_id, previous_status, status)
    select id, project_id, null, status from inserted
  )
  select * from inserted`;
}

/**
 * The statement for callers that read `columns` (the GraphQL selection): a producer that reads
 * `{ id }` gets only ids back. JSON columns travel as one JSON array per column
 * (json(b)_array_elements, zipped by ROWS FROM): the driver's per-element array escaping of JSON
 * text was a visible share of a large createTasks. `keyed`: some input has an idempotency key.
 */
export function insertTasksStatement(columns: readonly TaskColumn[], keyed = true): StatementVariant {
  return statementVariant(keyed ? 'create' : 'create_plain', columns, (c) => buildInsertTasksSql(c, keyed));
}

/**
 * Idempotency keys already taken in their project: those inputs return these tasks instead.
 * Read without a lock: a hit that a new task of the call depends on (by key) is locked with the
 * named dependencies afterwards (LOCK_REFERENCED_TASKS_SQL), in the one id order.
 */
export const TASKS_BY_IDEMPOTENCY_KEY_SQL = `
  select ${taskColumns('t', ALL_TASK_COLUMNS)}
    from task t join unnest(?::uuid[], ?::text[]) as k(project_id, idempotency_key)
      on t.project_id = k.project_id and t.idempotency_key = k.idempotency_key`;

/**
 * Existing tasks named as dependencies or parents, and idempotency hits that new tasks depend
 * on, locked (shared, in id order so concurrent creates cannot deadlock) so none fails or is
 * cancelled while the new tasks' statuses are decided from theirs. Runs after GAIN_DEPENDENTS_SQL
 * (effective-priority.sql.ts), which takes the stronger lock first on the rows it changes.
 */
export const LOCK_REFERENCED_TASKS_SQL = 'select id::text, project_id::text, status from task where id = any(?::uuid[]) order by id for share';
