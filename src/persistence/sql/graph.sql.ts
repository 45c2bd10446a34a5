/** Dependency edges of a whole project, for graph queries and deadlock detection. */
export const PROJECT_EDGES_SQL = `
  select d.task_id::text as task_id, d.depends_on_id::text as depends_on_id
    from task_dependency d join task t on t.id = d.task_id
   where t.project_id = ?`;

/** The transitive dependencies of one task (recursive over the edge table's primary key). */
export const TRANSITIVE_DEPENDENCIES_SQL = `
  with recursive up(id) as (
    select ?::uuid
    union
    select d.depends_on_id from task_dependency d join up on d.task_id = up.id
  )
  select d.task_id::text as task_id, d.depends_on_id::text as depends_on_id
    from task_dependency d join up on d.task_id = up.id`;

/** Id and status of every task in a project (deadlock detection: 100,000 rows, nothing more). */
export const PROJECT_TASK_STATES_SQL = `
  select id::text, status from task where project_id = ?`;
