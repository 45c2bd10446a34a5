import { taskColumns } from './task-rows';

/**
 * The frontier of a project's graph: what an operator of a large project looks at first. The core
 * is the tasks in flight or in trouble (RUNNING, FAILED, RETRYING, READY, BLOCKED, SCHEDULED),
 * most urgent first and at most $2 of them; then their immediate neighbours (the dependencies and
 * dependents of core tasks, through both task_dependency indexes), at most $3. At 10,000 tasks
 * this reads a few hundred rows through task_project_status_idx instead of the whole project.
 * Returns the core ids flagged, so the page can tell the focus from its context.
 */
export const FRONTIER_SQL = `
  with core as (
    select id from task
     where project_id = ? and status in ('RUNNING', 'FAILED', 'RETRYING', 'READY', 'BLOCKED', 'SCHEDULED')
     order by case status when 'RUNNING' then 0 when 'FAILED' then 1 when 'RETRYING' then 2 when 'READY' then 3 when 'SCHEDULED' then 4 else 5 end,
              effective_priority desc, seq
     limit ?),
  neighbours as (
    select d.depends_on_id as id from task_dependency d join core c on d.task_id = c.id
    union
    select d.task_id from task_dependency d join core c on d.depends_on_id = c.id),
  context as (
    select id from neighbours n where not exists (select 1 from core c where c.id = n.id) limit ?)
  select ${taskColumns('t')}, true as in_core from task t join core using (id)
  union all
  select ${taskColumns('t')}, false from task t join context using (id)`;

/** How many tasks would be in the core without the limit (to say "N more not shown"). */
export const FRONTIER_CORE_COUNT_SQL = `
  select count(*)::int as count from task
   where project_id = ? and status in ('RUNNING', 'FAILED', 'RETRYING', 'READY', 'BLOCKED', 'SCHEDULED')`;
