import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TestServer } from '../helpers/server';
import { claim, complete, createProject, errorCode } from '../helpers/fixtures';
import { collect, Collector, connectClient, LiveClient, subscriberCount, waitUntil } from '../helpers/ws-client';

// Two instances on one database; subscriptions with equal document, variables and visibility
// share one execution per event (src/events/multiplexer.ts).
let a: TestServer;
let b: TestServer;
const clients: LiveClient[] = [];
beforeAll(async () => {
  a = await startTestServer();
  b = await startTestServer({ db: a.db });
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await b?.close();
  await a?.close();
});

interface Live {
  groups: number;
  executions: number;
  deliveries: number;
}
async function live(ts: TestServer): Promise<Live> {
  return ((await (await fetch(ts.url.replace(/\/graphql$/, '/healthz'))).json()) as { live: Live }).live;
}

const IDS_ONLY = `subscription($p: ID) { taskStatusChanged(projectId: $p, statuses: [COMPLETED]) { taskId } }`;
const FULL = `subscription($p: ID) { taskStatusChanged(projectId: $p) { cursor taskId status task { title status } } }`;
const RUNNING = `subscription($p: ID, $s: [TaskStatus!]) { taskStatusChanged(projectId: $p, statuses: $s) { taskId status } }`;

describe('shared subscriptions', () => {
  it('a subscription selecting only ids loads no task rows', async () => {
    const p = await createProject(a);
    const client = await connectClient(a.wsUrl);
    clients.push(client);
    const { stream } = a.server.services;
    const loads = stream.taskLoads;
    const sub = await collect<{ taskId: string }>(client, IDS_ONLY, { p }, async () => (await subscriberCount(a.url)) > 0);
    await a.ok(`mutation($p: ID!) { createTask(input: { projectId: $p, title: "x" }) { id } }`, { p });
    const t = await claim(a, p);
    expect(errorCode(await complete(a, t.id))).toBeUndefined();
    expect((await sub.waitFor(1)).map((e) => e.taskId)).toEqual([t.id]);
    expect(stream.taskLoads).toBe(loads);
    sub.unsubscribe();
    await waitUntil(async () => (await subscriberCount(a.url)) === 0, 5_000, 'the subscription to end');
  });

  it("a subscription reading the task loads it only for events its statuses let through (a worker's watch for cancellations)", async () => {
    const p = await createProject(a);
    const client = await connectClient(a.wsUrl);
    clients.push(client);
    const { stream } = a.server.services;
    const CANCELS = `subscription($p: ID!) { taskStatusChanged(projectId: $p, statuses: [CANCELLED]) { taskId status task { status attempt workerId } } }`;
    const sub = await collect<{ taskId: string; task: { status: string } | null }>(client, CANCELS, { p }, async () => (await subscriberCount(a.url)) > 0);
    const loads = stream.taskLoads;
    // Created, claimed, completed: events this subscription never receives, so no task is loaded.
    await a.ok(`mutation($p: ID!) { createTask(input: { projectId: $p, title: "done" }) { id } }`, { p });
    const t = await claim(a, p);
    expect(errorCode(await complete(a, t.id))).toBeUndefined();
    const doomed = (await a.ok(`mutation($p: ID!) { createTask(input: { projectId: $p, title: "doomed" }) { id } }`, { p })).createTask.id;
    await a.ok(`mutation($id: ID!) { cancelTask(id: $id, reason: "no longer needed") { id } }`, { id: doomed });
    const [event] = await sub.waitFor(1);
    expect(event).toMatchObject({ taskId: doomed, task: { status: 'CANCELLED' } });
    // The cancellation's batch was the only one that loaded tasks.
    expect(stream.taskLoads - loads).toBe(1);
    sub.unsubscribe();
    await waitUntil(async () => (await subscriberCount(a.url)) === 0, 5_000, 'the subscription to end');
  });

  it('1,000 subscribers on two instances, three shapes: every event exactly once, in order, one execution per group and event', async () => {
    const p = await createProject(a);
    const kinds = [
      { query: IDS_ONLY, vars: { p }, perInstance: 300 },
      { query: FULL, vars: { p }, perInstance: 150 },
      { query: RUNNING, vars: { p, s: ['RUNNING'] }, perInstance: 50 },
    ];
    const subs: { kind: number; c: Collector<any> }[] = [];
    for (const ts of [a, b]) {
      // 10 connections per instance, 50 subscriptions each.
      const conns = await Promise.all(Array.from({ length: 10 }, () => connectClient(ts.wsUrl)));
      clients.push(...conns);
      let n = 0;
      for (const [kind, k] of kinds.entries()) {
        for (let i = 0; i < k.perInstance; i++) subs.push({ kind, c: await collect(conns[n++ % conns.length]!, k.query, k.vars) });
      }
    }
    await waitUntil(async () => (await subscriberCount(a.url)) === 500 && (await subscriberCount(b.url)) === 500, 20_000, '500 subscriptions on each instance');
    const before = { a: await live(a), b: await live(b) };

    const created = await a.ok(`mutation($i: [CreateTaskInput!]!) { createTasks(inputs: $i) { id title } }`, {
      i: Array.from({ length: 10 }, (_, k) => ({ projectId: p, title: `t${k}` })),
    });
    const titles = new Map<string, string>(created.createTasks.map((t: { id: string; title: string }) => [t.id, t.title]));
    for (let k = 0; k < 10; k++) {
      const ts = k % 2 ? a : b;
      const t = await claim(ts, p, `w${k}`);
      expect(errorCode(await complete(ts, t.id))).toBeUndefined();
    }

    const expected = [10, 30, 10];
    await Promise.all(subs.map((s) => s.c.waitFor(expected[s.kind]!, 20_000)));
    await new Promise((r) => setTimeout(r, 200)); // nothing more may come
    // `task` is the row as it is when the event is delivered, so task.status may differ between
    // instances (each loads the row when its pump reads the event); everything else is identical.
    const comparable = (events: { task?: { status?: string } }[]) => JSON.stringify(events.map((e) => ({ ...e, task: e.task && { ...e.task, status: undefined } })));
    const reference = [0, 1, 2].map((kind) => comparable(subs.find((s) => s.kind === kind)!.c.events));
    for (const s of subs) {
      expect(s.c.events).toHaveLength(expected[s.kind]!);
      expect(comparable(s.c.events)).toBe(reference[s.kind]);
      expect(s.c.errors).toEqual([]);
    }
    const full = subs.find((s) => s.kind === 1)!.c.events as { cursor: string; taskId: string; task: { title: string } }[];
    expect(full.map((e) => e.cursor)).toEqual([...full.map((e) => e.cursor)].sort());
    expect(new Set(full.map((e) => e.cursor)).size).toBe(30);
    for (const e of full) expect(e.task.title).toBe(titles.get(e.taskId));
    expect(subs.find((s) => s.kind === 0)!.c.events.map((e: { taskId: string }) => e.taskId).sort()).toEqual([...titles.keys()].sort());

    for (const [ts, was] of [[a, before.a], [b, before.b]] as const) {
      const now = await live(ts);
      expect(now.groups).toBe(3);
      // One execution per group and event: 10 + 30 + 10, against 300*10 + 150*30 + 50*10 deliveries.
      expect(now.executions - was.executions).toBe(50);
      expect(now.deliveries - was.deliveries).toBe(8_000);
    }
    for (const s of subs) s.c.unsubscribe();
    await waitUntil(async () => (await subscriberCount(a.url)) === 0 && (await subscriberCount(b.url)) === 0, 10_000, 'the subscriptions to end');
    expect((await live(a)).groups).toBe(0);
  });
});
