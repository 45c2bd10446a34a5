import type { EntityManager } from '@mikro-orm/postgresql';
import { deletableTasks, FINISHED_STATUSES, RetentionDays, RetentionNode } from '../domain/retention';
import {
  DELETE_COMPONENTS_SQL,
  EDGES_TOUCHING_SQL,
  LOCK_UNCHANGED_SQL,
  RETENTION_CANDIDATES_SQL,
  RETENTION_NODES_SQL,
} from '../persistence/sql/retention.sql';
import { sql } from '../persistence/sql/run';

export interface PruneOptions {
  days: RetentionDays;
  /** Candidates read per batch (each batch deletes in one short transaction). */
  batch?: number;
  /** A component larger than this is left for now (its check would read too much at once). */
  maxComponent?: number;
  /** Asked between batches: stop early (server shutting down). */
  stopped?: () => boolean;
  /**
   * Pause between batches, ms, at least; a batch is also followed by a pause as long as it took,
   * so pruning uses at most about half of the time (it never crowds out claims on a small machine).
   */
  pauseMs?: number;
}

const EPOCH = '1970-01-01 00:00:00+00';
const NIL = '00000000-0000-0000-0000-000000000000';

/**
 * Retention (run by the sweeper now and then, on any number of instances): deletes finished
 * tasks past RETENTION_DAYS in whole dependency components (domain/retention.ts). Each batch
 * reads candidates and their components without locks, decides, then deletes in one short
 * transaction that re-checks under lock. Returns how many tasks were deleted.
 */
export async function pruneFinishedTasks(em: EntityManager, options: PruneOptions): Promise<number> {
  const batch = options.batch ?? 1_000;
  const maxComponent = options.maxComponent ?? 10_000;
  let deleted = 0;
  for (const status of FINISHED_STATUSES) {
    const days = options.days[status];
    if (days <= 0) continue; // 0: keep forever
    let cursor: [string, string] = [EPOCH, NIL];
    for (;;) {
      if (options.stopped?.()) return deleted;
      const batchStarted = Date.now();
      const candidates = await sql<{ id: string; updated_at: string }>(em, RETENTION_CANDIDATES_SQL, [status, days, cursor[0], cursor[1], batch]);
      if (candidates.length === 0) break;
      const last = candidates[candidates.length - 1]!;
      cursor = [last.updated_at, last.id];

      const { nodes, edges, complete } = await componentsOf(em, candidates.map((c) => c.id), maxComponent);
      if (!complete) continue;
      const rows = await sql<{ id: string; status: string; updated_at: string; updated_ms: number; now_ms: number }>(em, RETENTION_NODES_SQL, [nodes]);
      if (rows.length === 0) continue;
      const now = new Date(rows[0]!.now_ms);
      const retention: RetentionNode[] = rows.map((r) => ({ id: r.id, status: r.status, updatedAt: new Date(r.updated_ms) }));
      const ids = deletableTasks(retention, edges, options.days, now);
      if (ids.length) deleted += await deleteUnchanged(em, ids, new Map(rows.map((r) => [r.id, r])));
      const pause = Math.max(options.pauseMs ?? 0, Date.now() - batchStarted);
      if (pause > 0) await new Promise((r) => setTimeout(r, pause));
      if (candidates.length < batch) break;
    }
  }
  return deleted;
}

/** Every task connected to `start` by dependencies, with the edges; incomplete past `max`. */
async function componentsOf(em: EntityManager, start: string[], max: number) {
  const seen = new Set(start);
  const edges: { taskId: string; dependsOnId: string }[] = [];
  const edgeKeys = new Set<string>();
  let frontier = start;
  while (frontier.length) {
    const found = await sql<{ task_id: string; depends_on_id: string }>(em, EDGES_TOUCHING_SQL, [frontier, frontier]);
    const next: string[] = [];
    for (const e of found) {
      const key = `${e.task_id}>${e.depends_on_id}`;
      if (!edgeKeys.has(key)) {
        edgeKeys.add(key);
        edges.push({ taskId: e.task_id, dependsOnId: e.depends_on_id });
      }
      for (const id of [e.task_id, e.depends_on_id]) {
        if (seen.has(id)) continue;
        seen.add(id);
        next.push(id);
      }
    }
    if (seen.size > max) return { nodes: [...seen], edges, complete: false };
    frontier = next;
  }
  return { nodes: [...seen], edges, complete: true };
}

async function deleteUnchanged(em: EntityManager, ids: string[], rows: Map<string, { status: string; updated_at: string }>): Promise<number> {
  return em.transactional(async (tem) => {
    const locked = await sql(tem as EntityManager, LOCK_UNCHANGED_SQL, [ids, ids.map((id) => rows.get(id)!.status), ids.map((id) => rows.get(id)!.updated_at)]);
    if (locked.length !== ids.length) return 0;
    const [{ count }] = await sql<{ count: number }>(tem as EntityManager, DELETE_COMPONENTS_SQL, [ids, ids, ids, ids, ids]);
    return count;
  });
}
