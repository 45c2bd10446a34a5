import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../persistence/sql/run';
import { BLOCK_SQL, CANCEL_MANY_SQL, LOCK_WAITING_DESCENDANTS_SQL } from '../persistence/sql/block.sql';

/** Everything waiting (transitively) on `rootIds` that is PENDING becomes BLOCKED. */
export async function blockWaitingDescendants(tem: EntityManager, rootIds: string[], reason: string): Promise<string[]> {
  if (rootIds.length === 0) return [];
  const locked = await sql<{ id: string }>(tem, LOCK_WAITING_DESCENDANTS_SQL, [rootIds, ['PENDING']]);
  if (locked.length === 0) return [];
  const rows = await sql<{ id: string }>(tem, BLOCK_SQL, [reason, rootIds.join(','), locked.map((r) => r.id)]);
  return rows.map((r) => r.id);
}

/** Cascading cancel: every non-terminal descendant of `rootIds` is cancelled with the reason. */
export async function cancelDescendants(tem: EntityManager, rootIds: string[], reason: string): Promise<string[]> {
  const locked = await sql<{ id: string }>(tem, LOCK_WAITING_DESCENDANTS_SQL, [
    rootIds,
    ['PENDING', 'READY', 'RUNNING', 'BLOCKED', 'FAILED', 'RETRYING'],
  ]);
  if (locked.length === 0) return [];
  const rows = await sql<{ id: string }>(tem, CANCEL_MANY_SQL, [reason, rootIds.join(','), locked.map((r) => r.id)]);
  return rows.map((r) => r.id);
}

/**
 * After a dependency is retried: its BLOCKED descendants whose dependencies are no longer
 * FAILED, CANCELLED or BLOCKED go back to PENDING (or READY), level by level downwards.
 */
export async function unblockDescendants(tem: EntityManager, rootId: string): Promise<string[]> {
  const changed: string[] = [];
  let frontier = [rootId];
  while (frontier.length > 0) {
    const rows = await sql<{ id: string }>(
      tem,
      `with cand as (
         select t.id from task t
          where t.status = 'BLOCKED'
            and t.id in (select d.task_id from task_dependency d where d.depends_on_id = any(?::uuid[]))
          order by t.id for update
       ), freed as (
         select c.id,
                bool_and(dep.status = 'COMPLETED') as all_done
           from cand c join task_dependency d on d.task_id = c.id join task dep on dep.id = d.depends_on_id
          group by c.id
         having not bool_or(dep.status in ('FAILED', 'CANCELLED', 'BLOCKED'))
       ), updated as (
         -- runAt still ahead: SCHEDULED (the sweeper promotes it then), not READY.
         update task t set status = case when not freed.all_done then 'PENDING' when t.run_at > now() then 'SCHEDULED' else 'READY' end,
                updated_at = now(), metadata = t.metadata - 'blockedBy' - 'blockedAt'
           from freed where t.id = freed.id
         returning t.id, t.project_id, t.status
       ), logged as (
         insert into task_event (task_id, project_id, previous_status, status)
         select id, project_id, 'BLOCKED', status from updated
       )
       select id::text from updated`,
      [frontier],
    );
    frontier = rows.map((r) => r.id);
    changed.push(...frontier);
  }
  return changed;
}
