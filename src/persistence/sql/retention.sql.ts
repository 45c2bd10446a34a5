/**
 * Retention candidates: finished tasks of one status older than its retention, oldest first,
 * after a keyset cursor (updated_at, id) so tasks kept back by an unfinished neighbour are passed
 * over instead of re-read in every batch. Walks `task_finished_idx (status, updated_at, id)`; no
 * locks (the delete re-checks under lock).
 */
export const RETENTION_CANDIDATES_SQL = `
  select id::text, updated_at::text as updated_at from task
   where status = ? and updated_at <= now() - make_interval(days => ?)
     and (updated_at, id) > (?::timestamptz, ?::uuid)
   order by updated_at, id
   limit ?`;

/** The dependency edges touching a set of tasks, both directions (PK and task_dependency_depends_on_idx). */
export const EDGES_TOUCHING_SQL = `
  select task_id::text, depends_on_id::text from task_dependency where task_id = any(?::uuid[])
  union
  select task_id::text, depends_on_id::text from task_dependency where depends_on_id = any(?::uuid[])`;

/** Status and age of the tasks of those components, with the database's clock (updated_at as text keeps its microseconds for the exact re-check). */
export const RETENTION_NODES_SQL = `
  select id::text, status, updated_at::text as updated_at, (extract(epoch from updated_at) * 1000)::float8 as updated_ms,
         (extract(epoch from now()) * 1000)::float8 as now_ms
    from task where id = any(?::uuid[])`;

/**
 * Step 1 of the delete (components chosen outside any transaction): lock the rows, in id order,
 * only where each is still finished and unchanged since it was read. Fewer rows than expected
 * means something changed: the caller deletes nothing and the next pass decides again. The locks
 * are on finished rows, which claims and completions never touch.
 * Bindings: ids, statuses, updated_at values (parallel arrays).
 */
export const LOCK_UNCHANGED_SQL = `
  select t.id from task t
    join unnest(?::uuid[], ?::text[], ?::timestamptz[]) as e(id, status, updated_at)
      on e.id = t.id and e.status = t.status and e.updated_at = t.updated_at
   order by t.id
   for update of t`;

/**
 * Step 2, a separate statement so its snapshot is taken after the locks are held: deletes the
 * set unless an edge now leads out of it. A task created meanwhile that depends on one of them
 * locked it FOR SHARE, so it either committed before step 1's lock (and its edge is seen here)
 * or waits for this commit and then finds its dependency gone (a clear error, never a dangling
 * edge). Bindings: the ids four times.
 */
export const DELETE_COMPONENTS_SQL = `
  with escaping as (
    select 1 from task_dependency d
     where (d.task_id = any(?::uuid[]) and not d.depends_on_id = any(?::uuid[]))
        or (d.depends_on_id = any(?::uuid[]) and not d.task_id = any(?::uuid[]))
     limit 1
  ), deleted as (
    delete from task t
     where t.id = any(?::uuid[]) and not exists (select 1 from escaping)
    returning t.id
  )
  select count(*)::int as count from deleted`;
