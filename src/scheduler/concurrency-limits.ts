import type { EntityManager } from '@mikro-orm/postgresql';
import { assertConcurrencyKey, assertConcurrencyLimit } from '../domain/flow-control';
import { DELETE_CONCURRENCY_LIMIT_SQL, LIST_CONCURRENCY_LIMITS_SQL, UPSERT_CONCURRENCY_LIMIT_SQL } from '../persistence/sql/concurrency-limit.sql';
import { sql } from '../persistence/sql/run';
import { requireProject } from './projects';

export interface ConcurrencyLimitRow {
  key: string;
  limit: number;
  running: number;
  waiting: number;
}

/**
 * setConcurrencyLimit: at most `limit` tasks of the project with `concurrencyKey = key` RUNNING
 * at once (the claim enforces it: claim.sql.ts); null removes the limit. Tasks already running
 * over a lowered limit finish; no new ones start until the count is under it.
 */
export async function setConcurrencyLimit(em: EntityManager, args: { projectId: string; key: string; limit?: number | null }): Promise<number | null> {
  const project = await requireProject(em, args.projectId);
  const key = assertConcurrencyKey(args.key);
  const limit = assertConcurrencyLimit(args.limit);
  if (limit === null) await sql(em, DELETE_CONCURRENCY_LIMIT_SQL, [project.id, key]);
  else await sql(em, UPSERT_CONCURRENCY_LIMIT_SQL, [project.id, key, limit]);
  return limit;
}

export async function listConcurrencyLimits(em: EntityManager, projectId: string): Promise<ConcurrencyLimitRow[]> {
  const project = await requireProject(em, projectId);
  return sql<ConcurrencyLimitRow>(em, LIST_CONCURRENCY_LIMITS_SQL, [project.id]);
}
