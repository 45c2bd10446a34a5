import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from 'pg';
import { startTestServer, TestServer } from '../helpers/server';
import { startServerProcess, ServerProcess } from '../helpers/server-process';
import { createProject, createTask } from '../helpers/fixtures';
import { connectClient, step, subscriberCount, waitUntil, watchStatus } from '../helpers/ws-client';
import { AUTH_HEADERS } from '../helpers/auth';

// Real processes started from src/main.ts: instance A in this process, B a child on the same
// database, so the only path between them is PostgreSQL LISTEN/NOTIFY.

let a: TestServer;
let b: ServerProcess;
beforeAll(async () => {
  a = await startTestServer();
  b = await startServerProcess({ databaseUrl: a.db.url });
});
afterAll(async () => {
  await b?.stop();
  await a?.close();
});

/** GraphQL over HTTP against a child process (B unless said). */
async function onB<T = any>(query: string, variables?: Record<string, unknown>, to: ServerProcess = b): Promise<T> {
  const res = await fetch(to.url, { method: 'POST', headers: { 'content-type': 'application/json', ...AUTH_HEADERS }, body: JSON.stringify({ query, variables }) });
  const body = (await res.json()) as { data?: T; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data!;
}

describe('two server processes on one database', () => {
  it('a subscriber on process B sees a mutation made on A, and the other way round', async () => {
    const p = await createProject(a);
    const liveB = await connectClient(b.wsUrl);
    const liveA = await connectClient(a.wsUrl);
    const subB = await watchStatus(liveB, b.url, { projectId: p });
    const subA = await watchStatus(liveA, a.url, { projectId: p });

    const fromA = await createTask(a, { projectId: p, title: 'made on A' });
    await subB.waitFor(1);
    const fromB = (await onB(`mutation($p: ID!) { createTask(input: { projectId: $p, title: "made on B" }) { id } }`, { p })).createTask;
    await subB.waitFor(2);
    await subA.waitFor(2);
    expect(subB.events.map(step)).toEqual([`${fromA.id}:null>READY`, `${fromB.id}:null>READY`]);
    expect(subA.events.map((e) => e.cursor)).toEqual(subB.events.map((e) => e.cursor));
    await liveA.dispose();
    await liveB.dispose();
    await waitUntil(async () => (await subscriberCount(b.url)) === 0, 5_000, 'B to drop the closed subscription');
  });

  it('SIGTERM: open sockets close with 1001, an in-flight request completes, the process exits 0', async () => {
    // A process of its own: the other test of this file needs B running, in whatever order they run.
    const c = await startServerProcess({ databaseUrl: a.db.url });
    const p = await createProject(a);
    const live = await connectClient(c.wsUrl);
    await watchStatus(live, c.url, { projectId: p });
    // The in-flight request is made to wait on a row lock this test holds (inserting a task
    // checks its project row), so it is certainly still running when the signal arrives.
    const holder = new Client({ connectionString: a.db.url });
    await holder.connect();
    await holder.query('begin');
    await holder.query('select id from project where id = $1 for update', [p]);
    const inFlight = onB<{ createTask: { id: string } }>(`mutation($p: ID!) { createTask(input: { projectId: $p, title: "in flight" }) { id } }`, { p }, c).then((d) => ({ d, at: Date.now() }));
    await waitUntil(
      async () => (await holder.query(`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`)).rows[0].n > 0,
      20_000,
      'the request to wait on the project row',
    );
    const signalledAt = Date.now();
    const exit = c.stop(20_000);

    const closed = await live.closed;
    expect(closed.code).toBe(1001);
    await holder.query('rollback');
    await holder.end();
    const { d, at } = await inFlight;
    expect(d.createTask.id).toBeTruthy();
    expect(at).toBeGreaterThan(signalledAt);
    expect(await exit).toEqual({ code: 0, signal: null });
    expect(c.stderr()).toContain('"msg":"stopped"'); // logged after the database pool was closed
    expect(c.stderr()).not.toContain('"level":"error"');
  });
});
