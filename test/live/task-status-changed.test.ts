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

  it('filters on the server by project, by task ids and by status', async () => {
    live = await connectClient(ts.wsUrl);
    const [p1, p2] = [await createProject(ts), await createProject(ts)];
    const x = await createTask(ts, { projectId: p1, title: 'x', priority: 9 });
    const all = await watchStatus(live, ts.url);
    const byProject = await watchStatus(live, ts.url, { projectId: p1 });
    const byIds = await watchStatus(live, ts.url, { taskIds: [x.id] });
    const byStatus = await watchStatus(live, ts.url, { statuses: ['RUNNING'] });
    const combined = await watchStatus(live, ts.url, { projectId: p2, statuses: ['RUNNING', 'COMPLETED'] });

    const y = await createTask(ts, { projectId: p1, title: 'y' });
    const z = await createTask(ts, { projectId: p2, title: 'z' });
    expect((await claim(ts, p1)).id).toBe(x.id);
    expect((await claim(ts, p2)).id).toBe(z.id);
    expect(errorCode(await complete(ts, x.id))).toBeUndefined();

    // Every subscription is fed by the same pump read; once the unfiltered one has everything,
    // the others have had their chance too (the settle covers the socket).
    await all.waitFor(5);
    await all.settle(300);
    expect(all.events.map(step)).toEqual([`${y.id}:null>READY`, `${z.id}:null>READY`, `${x.id}:READY>RUNNING`, `${z.id}:READY>RUNNING`, `${x.id}:RUNNING>COMPLETED`]);
    expect(byProject.events.map(step)).toEqual([`${y.id}:null>READY`, `${x.id}:READY>RUNNING`, `${x.id}:RUNNING>COMPLETED`]);
    expect(byIds.events.map(step)).toEqual([`${x.id}:READY>RUNNING`, `${x.id}:RUNNING>COMPLETED`]);
    expect(byStatus.events.map(step)).toEqual([`${x.id}:READY>RUNNING`, `${z.id}:READY>RUNNING`]);
    expect(combined.events.map(step)).toEqual([`${z.id}:READY>RUNNING`]);
  });

  it('announces nothing for a rolled-back mutation', async () => {
    live = await connectClient(ts.wsUrl);
    const p = await createProject(ts);
    const running = await createTask(ts, { projectId: p, title: 'running' });
    const ready = await createTask(ts, { projectId: p, title: 'never claimed', priority: 1 });
    expect((await claim(ts, p)).id).toBe(running.id);
    const sub = await watchStatus(live, ts.url, { projectId: p });

    // All or nothing: the second input names a task that does not exist.
    const created = await ts.gql(`mutation($i: [CreateTaskInput!]!) { createTasks(inputs: $i) { id } }`, {
      i: [{ projectId: p, title: 'ok' }, { projectId: p, title: 'broken', dependencies: ['00000000-0000-4000-8000-000000000000'] }],
    });
    expect(errorCode(created)).toBe('TASK_DEPENDENCY_ERROR');
    // The first completion is written, then the stale second one aborts the transaction.
    const completed = await ts.gql(`mutation($i: [CompleteTaskInput!]!) { completeTasks(inputs: $i) { id } }`, {
      i: [{ id: running.id }, { id: ready.id }],
    });
    expect(errorCode(completed)).toBe('INVALID_TRANSITION');

    // A committed change after them is the first and only thing the subscriber hears.
    const fence = await createTask(ts, { projectId: p, title: 'fence' });
    await sub.waitFor(1);
    expect((await sub.settle(300)).map(step)).toEqual([`${fence.id}:null>READY`]);
    const left = await ts.ok(`query($p: ID!) { tasks(filter: { projectId: $p }) { totalCount } }`, { p });
    expect(left.tasks.totalCount).toBe(3);
  });

  it("resolves an event's task fields from current rows, event after event", async () => {
    // The subscription's EntityManager lives as long as the subscription; each event must see
    // the rows as they are now, not as an earlier event loaded them.
    live = await connectClient(ts.wsUrl);
    const p = await createProject(ts);
    const a = await createTask(ts, { projectId: p, title: 'a' });
    const sub = await watchStatus(live, ts.url, { projectId: p }, 'taskId status task { status dependencyTasks { id status } }');
    const b = await createTask(ts, { projectId: p, title: 'b', dependencies: [a.id] });
    await sub.waitFor(1);
    await claim(ts, p);
    await complete(ts, a.id);
    const events = (await sub.waitFor(4)) as unknown as Array<{ taskId: string; task: { dependencyTasks: Array<{ status: string }> } }>;
    expect(events[0]!.taskId).toBe(b.id);
    expect(events[0]!.task.dependencyTasks.map((t) => t.status)).toEqual(['READY']);
    expect(events[3]!.taskId).toBe(b.id);
    expect(events[3]!.task.dependencyTasks.map((t) => t.status)).toEqual(['COMPLETED']);
  });

  it('reports cancel, cascade, final failure, manual retry and lease expiry, each transition once', async () => {
    live = await connectClient(ts.wsUrl);
    const p = await createProject(ts);
    const leased = await createTask(ts, { projectId: p, title: 'abandoned', priority: 10 });
    const root = await createTask(ts, { projectId: p, title: 'root', priority: 1 });
    const child = await createTask(ts, { projectId: p, title: 'child', dependencies: [root.id] });
    const grandchild = await createTask(ts, { projectId: p, title: 'grandchild', dependencies: [child.id] });
    const doomed = await createTask(ts, { projectId: p, title: 'doomed', priority: 5, maxRetries: 0 });
    const waiting = await createTask(ts, { projectId: p, title: 'waits for doomed', dependencies: [doomed.id] });
    const sub = await watchStatus(live, ts.url, { projectId: p });

    expect((await claim(ts, p, 'w-gone', { l: 1 })).id).toBe(leased.id); // its lease runs out
    await ts.ok(`mutation($id: ID!) { cancelTask(id: $id, reason: "not needed", cascade: true) { id } }`, { id: root.id });
    expect((await claim(ts, p)).id).toBe(doomed.id);
    expect((await fail(ts, doomed.id, 'disk full')).data.failTask.status).toBe('FAILED');
    await ts.ok(`mutation($id: ID!) { retryTask(id: $id) { id } }`, { id: doomed.id });

    await sub.waitFor(12, 5_000);
    const of = (id: string) => sub.events.filter((e) => e.taskId === id).map((e) => `${e.previousStatus}>${e.status}`);
    expect(of(leased.id)).toEqual(['READY>RUNNING', 'RUNNING>RETRYING', 'RETRYING>READY']);
    expect(of(root.id)).toEqual(['READY>CANCELLED']);
    expect(of(child.id)).toEqual(['PENDING>CANCELLED']);
    expect(of(grandchild.id)).toEqual(['PENDING>CANCELLED']);
    expect(of(doomed.id)).toEqual(['READY>RUNNING', 'RUNNING>FAILED', 'FAILED>RETRYING', 'RETRYING>READY']);
    expect(of(waiting.id)).toEqual(['PENDING>BLOCKED', 'BLOCKED>PENDING']);
    expect((await sub.settle(300)).length).toBe(12);
  });

  it('starts a subscription without afterCursor at "now", even after a quiet spell with no subscribers', async () => {
    live = await connectClient(ts.wsUrl);
    const p = await createProject(ts);
    const first = await watchStatus(live, ts.url, { projectId: p });
    await createTask(ts, { projectId: p, title: 'seen by the first' });
    await first.waitFor(1);
    first.unsubscribe();
    await waitUntil(async () => (await subscriberCount(ts.url)) === 0, 5_000, 'the first subscription to end');
    await createTask(ts, { projectId: p, title: 'committed while nobody listens' });

    const second = await watchStatus(live, ts.url, { projectId: p });
    const now = await createTask(ts, { projectId: p, title: 'after the second subscribed' });
    await second.waitFor(1);
    expect((await second.settle(300)).map(step)).toEqual([`${now.id}:null>READY`]);
  });
});
