import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TestServer } from '../helpers/server';
import { claim, complete, createProject, createTask, errorCode, fail } from '../helpers/fixtures';

let ts: TestServer;
beforeAll(async () => {
  ts = await startTestServer();
});
afterAll(async () => ts?.close());

const SERIES = `query($p: ID, $m: Int) {
  throughput(projectId: $p, minutes: $m) { minute created claimed completed failed retried }
  queueDepth(projectId: $p, minutes: $m) { minute counts { status count } }
}`;

describe('throughput, queueDepth and taskCounts', () => {
  it('count transitions per minute from the event log and rebuild depth per status from it', async () => {
    const project = await createProject(ts);
    const ids = [];
    for (let i = 0; i < 4; i++) ids.push((await createTask(ts, { projectId: project, title: `t${i}`, priority: 9 - i })).id);
    await claim(ts, project, 'w');
    await complete(ts, ids[0], 'w');
    await claim(ts, project, 'w');
    await fail(ts, ids[1], 'bad input: invalid', { workerId: 'w', retryable: false });
    await claim(ts, project, 'w');
    await fail(ts, ids[2], 'timeout', { workerId: 'w', retryable: true });

    const data = await ts.ok(SERIES, { p: project, m: 30 });
    const points = data.throughput as { minute: string; created: number; claimed: number; completed: number; failed: number; retried: number }[];
    expect(points).toHaveLength(30);
    expect(new Date(points[29]!.minute).getTime() - new Date(points[0]!.minute).getTime()).toBe(29 * 60_000);
    const sum = (k: 'created' | 'claimed' | 'completed' | 'failed' | 'retried') => points.reduce((s, p) => s + p[k], 0);
    expect({ created: sum('created'), claimed: sum('claimed'), completed: sum('completed'), failed: sum('failed'), retried: sum('retried') }).toEqual({ created: 4, claimed: 3, completed: 1, failed: 1, retried: 1 });

    const depth = data.queueDepth as { minute: string; counts: { status: string; count: number }[] }[];
    expect(depth).toHaveLength(30);
    const asMap = (p: (typeof depth)[number]) => Object.fromEntries(p.counts.map((c) => [c.status, c.count]));
    // Half an hour ago this project had no tasks; now: the current counts.
    expect(Object.values(asMap(depth[0]!)).every((c) => c === 0)).toBe(true);
    expect(asMap(depth[29]!)).toMatchObject({ READY: 1, RUNNING: 0, COMPLETED: 1, FAILED: 1, RETRYING: 1, PENDING: 0 });
    const counts = (await ts.ok(`query($p: ID!) { taskCounts(projectId: $p) { status count } }`, { p: project })).taskCounts as { status: string; count: number }[];
    expect(Object.fromEntries(counts.map((c) => [c.status, c.count]))).toEqual(asMap(depth[29]!));
  });

  it('refuses a window outside 1..1440 minutes', async () => {
    expect(errorCode(await ts.gql(SERIES, { m: 0 }))).toBe('BAD_USER_INPUT');
    expect(errorCode(await ts.gql(SERIES, { m: 1441 }))).toBe('BAD_USER_INPUT');
  });

  it('dependencyFrontier: tasks in flight or in trouble and their immediate neighbours', async () => {
    const project = await createProject(ts);
    const a = await createTask(ts, { projectId: project, title: 'a' });
    const b = await createTask(ts, { projectId: project, title: 'b', dependencies: [a.id] });
    const c = await createTask(ts, { projectId: project, title: 'c', dependencies: [b.id] });
    await createTask(ts, { projectId: project, title: 'd', dependencies: [c.id] });
    const FRONTIER = `query($p: ID!, $l: Int) { dependencyFrontier(projectId: $p, limit: $l) { coreIds coreTotal truncated tasks { id status dependencies } } }`;
    let f = (await ts.ok(FRONTIER, { p: project })).dependencyFrontier;
    expect(f.coreIds).toEqual([a.id]);
    expect(f.tasks.map((t: { id: string }) => t.id).sort()).toEqual([a.id, b.id].sort());
    expect(f).toMatchObject({ coreTotal: 1, truncated: false });
    await claim(ts, project, 'w');
    await complete(ts, a.id, 'w');
    f = (await ts.ok(FRONTIER, { p: project })).dependencyFrontier;
    expect(f.coreIds).toEqual([b.id]);
    expect(f.tasks.map((t: { id: string }) => t.id).sort()).toEqual([a.id, b.id, c.id].sort());
    expect(f.tasks.find((t: { id: string }) => t.id === c.id).dependencies).toEqual([b.id]);
    expect(errorCode(await ts.gql(FRONTIER, { p: project, l: 0 }))).toBe('BAD_USER_INPUT');
  });
});
