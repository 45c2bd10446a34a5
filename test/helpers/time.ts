import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../../src/persistence/sql/run';
import type { TestServer } from './server';

/** Runs SQL on a test server's database (seeding what no API sets yet, reading event times). */
export function db<T = any>(ts: TestServer, text: string, bindings: unknown[] = []): Promise<T[]> {
  return sql<T>(ts.orm.em.fork() as EntityManager, text, bindings);
}

/**
 * Makes a READY task wait as SCHEDULED until `ms` from now (the database's clock), logged like
 * the create path logs it, and wakes the sweeper as a creation with runAt does.
 */
export async function scheduleIn(ts: TestServer, taskId: string, ms: number): Promise<Date> {
  const [row] = await db<{ run_at: string }>(
    ts,
    `with u as (update task set status = 'SCHEDULED', run_at = now() + make_interval(secs => ?) where id = ? and status = 'READY' returning id, project_id, run_at),
          l as (insert into task_event (task_id, project_id, previous_status, status) select id, project_id, 'READY', 'SCHEDULED' from u)
     select run_at from u`,
    [ms / 1000, taskId],
  );
  const runAt = new Date(row!.run_at);
  ts.server.services.scheduler.deps.runAtScheduled?.(runAt);
  return runAt;
}

/** Every transition of a task as "FROM>TO" with the time it was logged. */
export async function transitions(ts: TestServer, taskId: string): Promise<{ step: string; at: Date }[]> {
  const rows = await db<{ previous_status: string | null; status: string; at: string }>(ts, 'select previous_status, status, at from task_event where task_id = ? order by id', [taskId]);
  return rows.map((r) => ({ step: `${r.previous_status}>${r.status}`, at: new Date(r.at) }));
}
