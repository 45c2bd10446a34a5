import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TestServer } from '../helpers/server';
import { claim, createProject, createTask } from '../helpers/fixtures';
import { connectClient, LiveClient, step, waitUntil, watchStatus } from '../helpers/ws-client';

let a: TestServer;
let b: TestServer;
let live: LiveClient;
beforeAll(async () => {
  a = await startTestServer();
  b = await startTestServer({ db: a.db });
  // B's safety poll (1 s) would hide a broken LISTEN: with it off, only NOTIFY wakes B's pump.
  const stream = b.server.services.stream as unknown as { pollTimer: NodeJS.Timeout | null };
  if (!stream.pollTimer) throw new Error("B's event stream has no pollTimer any more: update this test");
  clearInterval(stream.pollTimer);
  live = await connectClient(b.wsUrl);
});
afterAll(async () => {
  await live?.dispose();
  await b?.close();
  await a?.close();
});

describe('several instances on one database', () => {
  it('a change committed on A reaches a subscriber on B (through NOTIFY alone: B does not poll)', async () => {
    const p = await createProject(a);
    const sub = await watchStatus(live, b.url, { projectId: p });
    for (let k = 0; k < 5; k++) {
      const t = await createTask(a, { projectId: p, title: `t${k}` });
      await sub.waitFor(k + 1, 10_000);
      expect(step(sub.events[k]!)).toBe(`${t.id}:null>READY`);
    }
    sub.unsubscribe();
  });

  it('B reconnects its lost LISTEN connection and catches up on what it missed', async () => {
    const p = await createProject(a);
    const sub = await watchStatus(live, b.url, { projectId: p });
    await b.server.notifier.simulateConnectionLoss();
    await waitUntil(() => !b.server.notifier.listening, 2_000, 'B to notice the lost connection');

    // Committed on A while B cannot hear: 10 creations and 10 claims.
    const ids: string[] = [];
    for (let k = 0; k < 10; k++) ids.push((await createTask(a, { projectId: p, title: `during ${k}` })).id);
    for (let k = 0; k < 10; k++) await claim(a, p, 'w');

    await waitUntil(() => b.server.notifier.listening, 5_000, 'B to listen again');
    await sub.waitFor(20, 5_000);
    // And it hears new commits again.
    const after = await createTask(a, { projectId: p, title: 'after' });
    await sub.waitFor(21, 2_000);
    expect(sub.events.map(step)).toEqual([
      ...ids.map((id) => `${id}:null>READY`),
      ...ids.map((id) => `${id}:READY>RUNNING`),
      `${after.id}:null>READY`,
    ]);
    sub.unsubscribe();
  });

  it('writers on both instances: each subscriber gets every event once, in the same order', async () => {
    const p = await createProject(a);
    const onB = await watchStatus(live, b.url, { projectId: p });
    const liveA = await connectClient(a.wsUrl);
    const onA = await watchStatus(liveA, a.url, { projectId: p });
    await Promise.all(
      Array.from({ length: 40 }, (_, k) => createTask(k % 2 ? a : b, { projectId: p, title: `w${k}` })),
    );
    await onA.waitFor(40);
    await onB.waitFor(40);
    expect(onB.events.map((e) => e.cursor)).toEqual(onA.events.map((e) => e.cursor));
    expect(new Set(onB.events.map((e) => e.taskId)).size).toBe(40);
    await liveA.dispose();
    onB.unsubscribe();
  });
});
