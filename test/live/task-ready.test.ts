import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TestServer } from '../helpers/server';
import { claim, complete, createProject, createTask, errorCode, fail } from '../helpers/fixtures';
import { collect, connectClient, LiveClient, subscriberCount } from '../helpers/ws-client';

let ts: TestServer;
let live: LiveClient;
beforeAll(async () => {
  ts = await startTestServer(); // sweepIntervalMs 200
  live = await connectClient(ts.wsUrl);
});
afterAll(async () => {
  await live?.dispose();
  await ts?.close();
});

interface Ready {
  id: string;
  status: string;
  assignedTo: string | null;
  at: number;
}

/** A worker waiting for work: every taskReady, stamped with when it arrived. */
async function idleWorker(projectId: string, assignedTo?: string) {
  const before = await subscriberCount(ts.url);
  const sub = await collect<Ready>(
    live,
    `subscription($p: ID!, $a: String) { taskReady(projectId: $p, assignedTo: $a) { id status assignedTo } }`,
    { p: projectId, a: assignedTo },
    async () => (await subscriberCount(ts.url)) > before,
  );
  const push = sub.events.push.bind(sub.events);
  sub.events.push = (...items: Ready[]) => push(...items.map((e) => ({ ...e, at: Date.now() })));
  return sub;
}

describe('taskReady', () => {
  it('wakes a worker for a new READY task, honouring assignedTo', async () => {
    const p = await createProject(ts);
    const anyKind = await idleWorker(p);
    const llm = await idleWorker(p, 'llm');
    const t1 = await createTask(ts, { projectId: p, title: 'for anyone' });
    const t2 = await createTask(ts, { projectId: p, title: 'for an llm', assignedTo: 'llm' });
    await createTask(ts, { projectId: p, title: 'not yet', dependencies: [t1.id] }); // PENDING: no wake-up
    expect((await anyKind.waitFor(2)).map((e) => e.id)).toEqual([t1.id, t2.id]);
    expect((await llm.waitFor(1)).map((e) => e.id)).toEqual([t2.id]);
    expect(anyKind.events.every((e) => e.status === 'READY')).toBe(true);
    expect((await anyKind.settle(200)).length).toBe(2);
    expect(llm.events.length).toBe(1);
    anyKind.unsubscribe();
    llm.unsubscribe();
  });

  it('wakes a worker when a dependent is promoted', async () => {
    const p = await createProject(ts);
    const a = await createTask(ts, { projectId: p, title: 'first' });
    const b = await createTask(ts, { projectId: p, title: 'then', dependencies: [a.id] });
    const worker = await idleWorker(p);
    expect((await claim(ts, p)).id).toBe(a.id);
    expect(errorCode(await complete(ts, a.id))).toBeUndefined();
    expect((await worker.waitFor(1)).map((e) => e.id)).toEqual([b.id]);
    worker.unsubscribe();
  });

  it('wakes a worker when a retry becomes due (1 s backoff), not before, whatever the sweep interval', async () => {
    // Its own server sweeping only every 60 s: the retry's due time must schedule a sweep itself.
    const slow = await startTestServer({ config: { sweepIntervalMs: 60_000 } });
    const client = await connectClient(slow.wsUrl);
    try {
      const p = await createProject(slow);
      const t = await createTask(slow, { projectId: p, title: 'flaky', retryPolicy: { initialDelaySeconds: 1 } });
      expect((await claim(slow, p)).id).toBe(t.id);
      const worker = await collect<{ id: string }>(client, `subscription($p: ID!) { taskReady(projectId: $p) { id } }`, { p }, async () => (await subscriberCount(slow.url)) > 0);
      const failedAt = Date.now();
      expect((await fail(slow, t.id, 'timeout talking to the API', { retryable: true })).data.failTask.status).toBe('RETRYING');
      const [event] = await worker.waitFor(1, 30_000);
      const delay = Date.now() - failedAt;
      expect(event!.id).toBe(t.id);
      // Not before the retry is due; and long before the next regular sweep (60 s).
      expect(delay).toBeGreaterThanOrEqual(950);
      expect(delay).toBeLessThan(30_000);
    } finally {
      await client.dispose();
      await slow.close();
    }
  });

  it('wakes a worker when a lease expires', async () => {
    const p = await createProject(ts);
    const t = await createTask(ts, { projectId: p, title: 'abandoned' });
    expect((await claim(ts, p, 'w-gone', { l: 1 })).id).toBe(t.id);
    const worker = await idleWorker(p);
    const [event] = await worker.waitFor(1, 5_000);
    expect(event!.id).toBe(t.id);
    expect(event!.status).toBe('READY');
    worker.unsubscribe();
  });
});
