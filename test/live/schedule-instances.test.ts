import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, createTestOrm, TestDatabase } from '../helpers/database';
import { startServerProcess, ServerProcess } from '../helpers/server-process';
import { AUTH_HEADERS } from '../helpers/auth';
import { sql } from '../../src/persistence/sql/run';

// Two real server processes on one database, both sweeping: a schedule ticking every second
// must get exactly one task per tick, none missed. Each sweeper sleeps until the next tick, so
// both race for every one of them (the schedule row's lock and the tick's unique key decide).

let db: TestDatabase;
let orm: MikroORM;
let a: ServerProcess;
let b: ServerProcess;
beforeAll(async () => {
  db = await createTestDatabase();
  orm = await createTestOrm(db, 2);
  [a, b] = await Promise.all([
    startServerProcess({ databaseUrl: db.url, env: { LOG_LEVEL: 'info', SWEEP_INTERVAL_MS: '2000' } }),
    startServerProcess({ databaseUrl: db.url, env: { LOG_LEVEL: 'info', SWEEP_INTERVAL_MS: '2000' } }),
  ]);
}, 60_000);
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await orm?.close();
  await db?.drop();
});

async function gql<T = any>(url: string, query: string, variables?: Record<string, unknown>): Promise<T> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...AUTH_HEADERS }, body: JSON.stringify({ query, variables }) });
  const body = (await res.json()) as { data?: T; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data!;
}

describe('a schedule on two instances', () => {
  it('every second for 10 seconds: every tick once, none missed', async () => {
    const { createProject } = await gql(a.url, `mutation { createProject(input: { name: "cron-two" }) { id } }`);
    const upsert = `mutation($i: UpsertScheduleInput!) { upsertSchedule(input: $i) { id nextRunAt } }`;
    const input = { projectId: createProject.id, name: 'each-second', cron: '* * * * * *', overlap: 'ALLOW', task: { title: 'tick' } };
    const s = (await gql(a.url, upsert, { i: input })).upsertSchedule;
    await new Promise((r) => setTimeout(r, 10_500));
    // Paused through the other instance.
    await gql(b.url, upsert, { i: { ...input, paused: true } });
    const em = orm.em.fork() as EntityManager;
    const rows = await sql<{ run_at: string; n: number }>(
      em,
      `select run_at, count(*)::int as n from task where metadata->>'scheduleId' = ? group by run_at order by run_at`,
      [s.id],
    );
    expect(rows.length).toBeGreaterThanOrEqual(9);
    expect(rows.every((r) => r.n === 1)).toBe(true);
    const times = rows.map((r) => new Date(r.run_at).getTime());
    expect(times[0]).toBeLessThanOrEqual(new Date(s.nextRunAt).getTime());
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBe(1_000);
  }, 60_000);
});
