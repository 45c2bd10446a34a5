import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

/** GraphQL over HTTP against the child process. */
async function onB<T = any>(query: string, variables?: Record<string, unknown>): Promise<T> {
  const res = await fetch(b.url, { method: 'POST', headers: { 'content-type': 'application/json', ...AUTH_HEADERS }, body: JSON.stringify({ query, variables }) });
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
    const p = await createProject(a);
    const live = await connectClient(b.wsUrl);
    await watchStatus(live, b.url, { projectId: p });
    // 1000 creations (the per-call limit) take B well over 100 ms: still running at the signal.
    // (One request only: a request whose bytes B has not read yet when the signal is handled
    // meets a closing socket, as with any HTTP server; clients retry those.)
    const inputs = Array.from({ length: 1000 }, (_, k) => ({ projectId: p, title: `bulk ${k}` }));
    const bulk = onB<{ createTasks: unknown[] }>(`mutation($i: [CreateTaskInput!]!) { createTasks(inputs: $i) { id } }`, { i: inputs }).then((d) => ({ d, at: Date.now() }));
    await new Promise((r) => setTimeout(r, 100));
    const signalledAt = Date.now();
    const exit = b.stop(8_000);

    const closed = await live.closed;
    expect(closed.code).toBe(1001);
    const { d, at } = await bulk;
    expect(d.createTasks).toHaveLength(1000);
    expect(at).toBeGreaterThan(signalledAt);
    expect(await exit).toEqual({ code: 0, signal: null });
    expect(Date.now() - signalledAt).toBeLessThan(5_000);
    console.info(`bulk request answered ${at - signalledAt} ms after SIGTERM; exited after ${Date.now() - signalledAt} ms`);
    expect(b.stderr()).toContain('"msg":"stopped"'); // logged after the database pool was closed
    expect(b.stderr()).not.toContain('"level":"error"');
  });
});
