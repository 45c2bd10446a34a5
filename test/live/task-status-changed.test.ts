import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TestServer } from '../helpers/server';
import { claim, complete, createProject, createTask, errorCode, fail } from '../helpers/fixtures';
import { connectClient, LiveClient, step, subscriberCount, waitUntil, watchStatus } from '../helpers/ws-client';

let ts: TestServer;
let live: LiveClient;
beforeAll(async () => {
  ts = await startTestServer();
});
afterEach(async () => {
  await live?.dispose();
  await waitUntil(async () => (await subscriberCount(ts.url)) === 0, 5_000, 'subscriptions to end with their socket');
});
afterAll(async () => {
  await ts?.close();
});

function expectIncreasing(cursors: string[]) {
  for (let i = 1; i < cursors.length; i++) expect(cursors[i]! > cursors[i - 1]!, `cursor ${i} after ${i - 1}`).toBe(true);
}

describe('taskStatusChanged', () => {
  it("reports a task's whole life, one event per committed transition, and its dependent's promotion", async () => {
    live = await connectClient(ts.wsUrl);
    const p = await createProject(ts);
    const sub = await watchStatus(live, ts.url, { projectId: p });

    const a = await createTask(ts, { projectId: p, title: 'flaky', retryPolicy: { initialDelaySeconds: 0 } });
    const b = await createTask(ts, { projectId: p, title: 'waits for a', dependencies: [a.id] });
    expect((await claim(ts, p, 'w1')).id).toBe(a.id);
    expect(errorCode(await fail(ts, a.id, 'connection reset', { workerId: 'w1', retryable: true }))).toBeUndefined();
    // Due at once: the sweeper (every 200 ms here) promotes RETRYING -> READY. Waiting for that
    // event before claiming makes the sequence deterministic (a claim could also take the
    // RETRYING task directly, RETRYING -> RUNNING, which is just as legal).
    await sub.waitFor(5);
    expect((await claim(ts, p, 'w1')).id).toBe(a.id);
    expect(errorCode(await complete(ts, a.id, 'w1', { ok: true }))).toBeUndefined();

    const events = await sub.waitFor(8);
    expect(events.map(step)).toEqual([
      `${a.id}:null>READY`,
      `${b.id}:null>PENDING`,
      `${a.id}:READY>RUNNING`,
      `${a.id}:RUNNING>RETRYING`,
      `${a.id}:RETRYING>READY`,
      `${a.id}:READY>RUNNING`,
      `${a.id}:RUNNING>COMPLETED`,
      `${b.id}:PENDING>READY`,
    ]);
    expectIncreasing(events.map((e) => e.cursor));
    expect(events.every((e) => e.projectId === p && e.task.id === e.taskId)).toBe(true);
    expect((await sub.settle(300)).length).toBe(8);
  });
});
