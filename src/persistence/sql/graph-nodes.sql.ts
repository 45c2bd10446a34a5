/**
 * What the dependency graph needs of each task of a project, in one statement: id, status,
 * title and the stored estimate's duration (null when the task has no estimate; the caller picks
 * the default). Served by `task_project_seq_idx` (project_id, seq), which also gives the creation
 * order the graph lists nodes in. No full rows: a 10,000-task project stays a few hundred
 * kilobytes, and full Task rows are loaded only when a client asks for `nodes`.
 */
export const PROJECT_GRAPH_NODES_SQL = `
  select id::text, status, title,
         (complexity ->> 'estimatedDurationMinutes')::int as estimated_minutes
    from task
   where project_id = ?
   order by seq`;
