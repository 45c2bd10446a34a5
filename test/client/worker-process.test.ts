import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TestServer } from '../helpers/server';
import { startServerProcess } from '../helpers/server-process';
import { createProject } from '../helpers/fixtures';
import { waitUntil } from '../helpers/ws-client';
import { TEST_ADMIN_TOKEN } from '../helpers/auth';
import { createClient, createWorker } from '../../client/src';
import { freePort, startWorkerProcess } from './support/processes';

// Workers in their own processes, killed and stopped as an orchestrator would.

let ts: TestServer;
beforeAll(async () => {
  ts = await startTestServer({ config: { sweepIntervalMs: 100 } });
});
afterAll(async () => {
  await ts?.close();
});

async function statuses(projectId: string): Promise<Record<string, number>> {
  const rows = (await ts.orm.em.fork().getConnection().execute(`select status, count(*)::int as n from task where project_id = '${projectId}' group by status`)) as { status: string; n: number }[];
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

describe('a worker process', () => {
  it('killed with SIGKILL loses nothing: its tasks come back after the lease and another worker finishes them', async () => {
    const p = await createProject(ts);
    const client = createClient({ url: ts.url, token: TEST_ADMIN_TOKEN });
    await client.createTasks(Array.from({ length: 6 }, (_, k) => ({ projectId: p, title: `t${k}`, context: { sleepMs: 60_000 } })));
    const child = startWorkerProcess({ TASKQ_URL: ts.url, PROJECT: p, CONCURRENCY: '3', LEASE: '2' });
    await waitUntil(() => child.lines().filter((l) => l.startsWith('claimed')).length === 3, 30_000, 'the child to claim 3 tasks');
    child.child.kill('SIGKILL');
    expect((await child.exited).signal).toBe('SIGKILL');
    expect((await statuses(p)).RUNNING).toBe(3);
    // Another worker (with quick handlers) finishes all six, the three orphans once their lease ran out.
    const rescuer = createWorker({ url: ts.url, token: TEST_ADMIN_TOKEN, projectId: p, concurrency: 3, handleSignals: false, pollIntervalMs: 500, handler: async () => 'done' });
    rescuer.on('error', () => {});
    await waitUntil(async () => (await statuses(p)).COMPLETED === 6, 30_000, 'all six tasks completed');
    await rescuer.close();
  });

  it('SIGTERM: finishes what it can within the grace period, releases the rest, exits 0; no task stays RUNNING', async () => {
    const p = await createProject(ts);
    const client = createClient({ url: ts.url, token: TEST_ADMIN_TOKEN });
    const quick = await client.createTasks(Array.from({ length: 2 }, (_, k) => ({ projectId: p, title: `quick${k}`, priority: 10, context: { sleepMs: 500 } })));
    const stuck = await client.createTasks(Array.from({ length: 2 }, (_, k) => ({ projectId: p, title: `stuck${k}`, priority: 9 })));
    await client.createTasks([{ projectId: p, title: 'queued', priority: 1, context: { sleepMs: 1 } }]);
    const child = startWorkerProcess({ TASKQ_URL: ts.url, PROJECT: p, CONCURRENCY: '4', GRACE_MS: '1500' });
    await waitUntil(() => child.lines().filter((l) => l.startsWith('claimed')).length === 4, 30_000, 'the child to claim 4 tasks');
    child.child.kill('SIGTERM');
    const exit = await child.exited;
    expect(exit.code).toBe(0);
    const s = await statuses(p);
    expect(s.RUNNING ?? 0).toBe(0);
    for (const t of quick) expect((await client.task(t.id))!.status).toBe('COMPLETED');
    for (const t of stuck) expect(await client.task(t.id)).toMatchObject({ status: 'READY', retryCount: 0 });
    // Nothing new was claimed after the signal: the low-priority task never started.
    expect(child.lines().filter((l) => l.startsWith('claimed'))).toHaveLength(4);
    expect(child.lines().filter((l) => l.startsWith('aborted'))).toHaveLength(2);
  });

  it('survives a server restart mid-run: reconnects, claims again, finishes every task', async () => {
    const port = await freePort();
    const env = { PORT: String(port), SWEEP_INTERVAL_MS: '200' };
    let server = await startServerProcess({ databaseUrl: ts.db.url, env });
    const p = await createProject(ts);
    const client = createClient({ url: ts.url, token: TEST_ADMIN_TOKEN });
    await client.createTasks(Array.from({ length: 40 }, (_, k) => ({ projectId: p, title: `t${k}` })));
    let reconnected = 0;
    const w = createWorker({
      url: server.url,
      token: TEST_ADMIN_TOKEN,
      projectId: p,
      concurrency: 2,
      handleSignals: false,
      pollIntervalMs: 1_000,
      handler: () => new Promise((r) => setTimeout(() => r('ok'), 50)),
    });
    w.on('error', () => {});
    w.on('reconnected', () => reconnected++);
    try {
      await waitUntil(async () => ((await statuses(p)).COMPLETED ?? 0) >= 5, 30_000, 'some tasks completed');
      await server.stop();
      expect(((await statuses(p)).COMPLETED ?? 0)).toBeLessThan(40);
      server = await startServerProcess({ databaseUrl: ts.db.url, env });
      await waitUntil(async () => (await statuses(p)).COMPLETED === 40, 60_000, 'all 40 tasks completed after the restart');
      expect(reconnected).toBeGreaterThanOrEqual(1);
      expect(w.stats().completed).toBeGreaterThanOrEqual(35);
    } finally {
      await w.close({ force: true });
      await server.stop();
    }
  });
});
