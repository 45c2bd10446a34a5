/**
 * Concurrency limits (table from migration 20261203050000). Setting one takes the row lock the
 * claim takes (claim.sql.ts), so a change waits for the claim in progress and the next claim
 * counts against the new limit.
 */
export const UPSERT_CONCURRENCY_LIMIT_SQL = `
  insert into concurrency_limit (project_id, key, "limit") values (?, ?, ?)
  on conflict (project_id, key) do update set "limit" = excluded."limit", updated_at = now()`;

export const DELETE_CONCURRENCY_LIMIT_SQL = `delete from concurrency_limit where project_id = ? and key = ?`;

/** The limits of a project with how many tasks of each key run now (task_running_key_idx). */
export const LIST_CONCURRENCY_LIMITS_SQL = `
  select l.key, l."limit",
         (select count(*)::int from task t where t.project_id = l.project_id and t.concurrency_key = l.key and t.status = 'RUNNING') as running,
         (select count(*)::int from task t where t.project_id = l.project_id and t.concurrency_key = l.key and t.status in ('READY', 'RETRYING')) as waiting
    from concurrency_limit l
   where l.project_id = ?
   order by l.key`;
