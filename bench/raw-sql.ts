import { performance } from 'node:perf_hooks';
import type { Pool, PoolClient } from 'pg';
import { COMPLETE_SQL } from '../src/persistence/sql/complete.sql';
import type { GqlTransport } from './operations';

/**
 * The raw-SQL baselines: what PostgreSQL alone can do with the same schema, run from the bench
 * process over pg (one dedicated connection per worker, autocommit: one statement = one commit;
 * unnamed statements, planned on every call with their values: the simplest way to write a raw
 * worker). The server sends its hot statements named, with generic plans
 * (src/persistence/orm-config.ts); the raw claim below does worse that way (measured 2026-12-05:
 * 538 against 1,985 tasks/s, PostgreSQL 3.3 ms per task: its generic plan, made without knowing
 * the limit, does not stop at the head of the claim index), so the baseline stays unnamed.
 *
 * - "raw SQL, same claim statement": a one-claimer claim with the app's strategy (SKIP LOCKED
 *   over the claim index, update and RUNNING event row in one statement; the app's own statement,
 *   claim.sql.ts, is this with slots for many claimers at once) + a plain guarded
 *   `update … where id = $1 and status = 'RUNNING'` for the completion (no event row, no
 *   dependents check). This is the baseline the targets use.
 * - "raw SQL, app statements": the same claim + the app's own COMPLETE_SQL (event row and the
 *   dependents lock), still one statement each. Informational: separates the cost of the SQL the
 *   app chose from the cost of the layers above it (transactions, ORM, GraphQL, HTTP).
 */

/** knex `?` placeholders -> PostgreSQL `$n` (these statements contain no `?` operator). */
export function positional(text: string): string {
  let n = 0;
  return text.replace(/\?/g, () => `$${++n}`);
}

const LEASE_SECONDS = 30;

/**
 * $1 project, $2 limit, $3 worker, $4 lease seconds. Returns only the id, as a raw-SQL worker
 * would select (and as the API's claim does when the client selects only the id: the statement
 * returns the selected columns).
 */
export const RAW_CLAIM_SQL = `
  with next as (
    select id, status from task
    where project_id = $1
      and status in ('READY', 'RETRYING')
      and (status = 'READY' or available_at <= now())
    order by effective_priority desc, seq
    limit $2
    for update skip locked
  ), claimed as (
    update task t
       set status = 'RUNNING', worker_id = $3, lease_expires_at = now() + make_interval(secs => $4),
           started_at = now(), updated_at = now(), available_at = null
      from next
     where t.id = next.id
    returning t.*, next.status as previous_status
  ), logged as (
    insert into task_event (task_id, project_id, previous_status, status)
    select id, project_id, previous_status, 'RUNNING' from claimed
  )
  select id from claimed order by effective_priority desc, seq`;

export const RAW_COMPLETE_SQL = `
  update task set status = 'COMPLETED', result = $2::jsonb, completed_at = now(), updated_at = now(),
         worker_id = null, lease_expires_at = null
   where id = $1 and status = 'RUNNING'`;

export const RAW_COMPLETE_MANY_SQL = `
  update task set status = 'COMPLETED', result = null, completed_at = now(), updated_at = now(),
         worker_id = null, lease_expires_at = null
   where id = any($1::uuid[]) and status = 'RUNNING'`;

export const APP_COMPLETE_SQL = positional(COMPLETE_SQL);

/**
 * The app's completion statement has had two shapes: one task ($1 result, $2 id, $3/$4 worker)
 * and, since completion and promotion became one statement, parallel arrays ($1 ids, $2 worker
 * ids, $3 results, then attempts and claiming tokens). Bind whichever this checkout has.
 */
function appCompleteValues(id: string, workerId: string): unknown[] {
  const unnest = /unnest\(([^)]*)\)/.exec(COMPLETE_SQL);
  if (!unnest) return [null, id, workerId, workerId];
  // Arrays after the results (attempts since fencing, claiming tokens since access control): all
  // null, i.e. no guard, however many this checkout has.
  const extra = unnest[1]!.split(',').length - 3;
  return [[id], [workerId], [null], ...Array.from({ length: extra }, () => [null])];
}

async function withClient<T>(pool: Pool, work: (c: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    return await work(client);
  } finally {
    client.release();
  }
}

/** Same stopping rule as the API workers (worker-loops.ts): queue empty, or past `until`. */
export function rawPerTaskWorker(pool: Pool, projectId: string, workerId: string, completion: 'plain' | 'app', until = Infinity): Promise<number> {
  return withClient(pool, async (c) => {
    let done = 0;
    while (performance.now() < until) {
      const { rows } = await c.query<{ id: string }>(RAW_CLAIM_SQL, [projectId, 1, workerId, LEASE_SECONDS]);
      if (rows.length === 0) return done;
      const id = rows[0]!.id;
      const r =
        completion === 'plain'
          ? await c.query(RAW_COMPLETE_SQL, [id, null])
          : await c.query(APP_COMPLETE_SQL, appCompleteValues(id, workerId));
      if (r.rowCount !== 1) throw new Error(`raw completion of ${id} changed ${r.rowCount} rows`);
      done++;
    }
    return done;
  });
}

/**
 * One statement per call: the raw per-task worker plus, per task, the two GraphQL round trips an
 * API worker makes, as empty operations (`{ __typename }`: no resolver, no database) over the
 * worker's graphql-ws connection: the most a server that runs one statement per call could
 * reach on this machine. The API goes past it because it does not: concurrent claims and
 * completions share statements (src/scheduler/coalescer.ts), so PostgreSQL does less per task
 * than the raw worker's two commits.
 */
export function rawPerTaskWithTransportWorker(pool: Pool, api: GqlTransport, projectId: string, workerId: string, until = Infinity): Promise<number> {
  return withClient(pool, async (c) => {
    let done = 0;
    while (performance.now() < until) {
      await api.request(EMPTY_OPERATION);
      const { rows } = await c.query<{ id: string }>(RAW_CLAIM_SQL, [projectId, 1, workerId, LEASE_SECONDS]);
      if (rows.length === 0) return done;
      await api.request(EMPTY_OPERATION);
      const r = await c.query(RAW_COMPLETE_SQL, [rows[0]!.id, null]);
      if (r.rowCount !== 1) throw new Error(`raw completion of ${rows[0]!.id} changed ${r.rowCount} rows`);
      done++;
    }
    return done;
  });
}

const EMPTY_OPERATION = '{ __typename }';

export function rawBatchWorker(pool: Pool, projectId: string, workerId: string, limit: number, until = Infinity): Promise<number> {
  return withClient(pool, async (c) => {
    let done = 0;
    while (performance.now() < until) {
      const { rows } = await c.query<{ id: string }>(RAW_CLAIM_SQL, [projectId, limit, workerId, LEASE_SECONDS]);
      if (rows.length === 0) return done;
      const r = await c.query(RAW_COMPLETE_MANY_SQL, [rows.map((x) => x.id)]);
      if (r.rowCount !== rows.length) throw new Error(`raw batch completion changed ${r.rowCount} of ${rows.length} rows`);
      done += rows.length;
    }
    return done;
  });
}
