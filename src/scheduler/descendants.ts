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
export async function unblockDescendants(tem: EntityManager, rootIds: string | string[]): Promise<string[]> {
  const changed: string[] = [];
  let frontier = Array.isArray(rootIds) ? rootIds : [rootIds];
  while (frontier.length > 0) {
    const rows = await sql<{ id: string }>(tem, unblockSql('dependents'), [frontier]);
    frontier = rows.map((r) => r.id);
    changed.push(...frontier);
  }
  return changed;
}

/**
 * BLOCKED tasks retried by hand (retryTasks): the same rule as unblockDescendants applied to the
 * tasks themselves; those still blocked by a FAILED, CANCELLED or BLOCKED dependency stay BLOCKED.
 */
export async function unblockTasks(tem: EntityManager, ids: string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await sql<{ id: string }>(tem, unblockSql('tasks'), [ids]);
  return rows.map((r) => r.id);
}

function unblockSql(candidates: 'dependents' | 'tasks'): string {
  const which =
    candidates === 'dependents'
      ? 't.id in (select d.task_id from task_dependency d where d.depends_on_id = any(?::uuid[]))'
      : 't.id = any(?::uuid[])';
  return `with cand as (
         select t.id from task t
          where t.status = 'BLOCKED'
            and ${which}
          order by t.id for update
       ), freed as (
         -- left joins: a BLOCKED task without dependencies (retried by hand) is freed to READY
         select c.id,
                coalesce(bool_and(dep.status = 'COMPLETED'), true) as all_done
           from cand c left join task_dependency d on d.task_id = c.id left join task dep on dep.id = d.depends_on_id
          group by c.id
         having not coalesce(bool_or(dep.status in ('FAILED', 'CANCELLED', 'BLOCKED')), false)
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
       select id::text from updated`;
}
