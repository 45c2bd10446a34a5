import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TestServer } from '../helpers/server';
import { claim, createProject, createTask } from '../helpers/fixtures';

let ts: TestServer;
beforeAll(async () => {
  ts = await startTestServer();
});
afterAll(async () => {
  await ts?.close();
});

describe('claimNextTask', () => {
  it('takes the highest priority first: [3, 8, 5, 1] gives 8, RUNNING, with startedAt and a lease', async () => {
    const p = await createProject(ts);
    for (const priority of [3, 8, 5, 1]) await createTask(ts, { projectId: p, title: `t${priority}`, priority });
    const before = Date.now();
    const task = await claim(ts, p, 'worker-a', { l: 45 });
    expect(task.priority).toBe(8);
    expect(task.status).toBe('RUNNING');
    expect(task.workerId).toBe('worker-a');
    expect(new Date(task.startedAt).getTime()).toBeGreaterThanOrEqual(before - 2000);
    const leaseMs = new Date(task.leaseExpiresAt).getTime() - new Date(task.startedAt).getTime();
    expect(leaseMs).toBeGreaterThan(44_000);
    expect(leaseMs).toBeLessThan(46_000);
    expect((await claim(ts, p)).priority).toBe(5);
    expect((await claim(ts, p)).priority).toBe(3);
    expect((await claim(ts, p)).priority).toBe(1);
  });

  it('returns null on an empty queue', async () => {
    const p = await createProject(ts);
    expect(await claim(ts, p)).toBeNull();
  });

  it('takes the oldest first on equal priority', async () => {
    const p = await createProject(ts);
    const a = await createTask(ts, { projectId: p, title: 'a' });
    await createTask(ts, { projectId: p, title: 'b' });
    expect((await claim(ts, p)).id).toBe(a.id);
  });

  it('only hands a task to a worker of its assignedTo kind when the worker asks by kind', async () => {
    const p = await createProject(ts);
    await createTask(ts, { projectId: p, title: 'for a human', assignedTo: 'human', priority: 9 });
    const llm = await createTask(ts, { projectId: p, title: 'for an llm', assignedTo: 'llm', priority: 1 });
    expect((await claim(ts, p, 'w', { a: 'llm' })).id).toBe(llm.id);
    expect(await claim(ts, p, 'w', { a: 'llm' })).toBeNull();
  });

  it('claimTasks takes several at once in claim order', async () => {
    const p = await createProject(ts);
    for (const priority of [2, 9, 4, 7]) await createTask(ts, { projectId: p, title: `t${priority}`, priority });
    const data = await ts.ok(`mutation($p: ID!) { claimTasks(projectId: $p, workerId: "w", limit: 3) { priority status } }`, { p });
    expect(data.claimTasks.map((t: any) => t.priority)).toEqual([9, 7, 4]);
    expect(data.claimTasks.every((t: any) => t.status === 'RUNNING')).toBe(true);
  });
});

describe('effective priority', () => {
  it('a deadline within one hour runs as if +2, without changing the stored priority', async () => {
    const p = await createProject(ts);
    await createTask(ts, { projectId: p, title: 'plain 6', priority: 6 });
    const urgent = await createTask(ts, { projectId: p, title: 'due soon', priority: 5, metadata: { deadline: new Date(Date.now() + 30 * 60_000).toISOString() } });
    const later = await createTask(ts, { projectId: p, title: 'due later', priority: 5, metadata: { deadline: new Date(Date.now() + 5 * 3600_000).toISOString() } });
    expect(urgent.priority).toBe(5);
    expect(urgent.effectivePriority).toBe(7);
    expect(later.effectivePriority).toBe(5);
    const first = await claim(ts, p);
    expect(first.id).toBe(urgent.id);
    expect(first.priority).toBe(5);
  });

  it('a task other tasks wait on runs as if +1', async () => {
    const p = await createProject(ts);
    await createTask(ts, { projectId: p, title: 'older, nothing waits', priority: 5 });
    const blocker = await createTask(ts, { projectId: p, title: 'others wait on me', priority: 5 });
    await createTask(ts, { projectId: p, title: 'waiter', dependencies: [blocker.id] });
    const first = await claim(ts, p);
    expect(first.id).toBe(blocker.id);
    expect(first.effectivePriority).toBe(6);
    expect(first.priority).toBe(5);
  });
});

describe('claim and completion return what the client selected', () => {
  it('a selection of only the id, then fragments, relations and the estimate, all resolve', async () => {
    const p = await createProject(ts);
    const first = await createTask(ts, { projectId: p, title: 'first', priority: 9, description: 'the first', context: { n: 1 } });
    const second = await createTask(ts, { projectId: p, title: 'second', priority: 8 });
    await createTask(ts, { projectId: p, title: 'later', priority: 1, dependencies: [second.id] });

    const bare = await ts.ok(`mutation($p: ID!) { claimNextTask(projectId: $p, workerId: "w") { id } }`, { p });
    expect(bare.claimNextTask).toEqual({ id: first.id });

    const rich = await ts.ok(
      `fragment Times on Task { startedAt createdAt }
       mutation($p: ID!) {
         claimNextTask(projectId: $p, workerId: "w2") {
           ... on Task { title status }
           ...Times
           priority context description workerId leaseExpiresAt
           dependents { id title }
           complexity { taskId complexityScore }
         }
       }`,
      { p },
    );
    expect(rich.claimNextTask).toMatchObject({ title: 'second', status: 'RUNNING', priority: 8, workerId: 'w2', description: null, context: {} });
    expect(new Date(rich.claimNextTask.startedAt).getTime()).toBeGreaterThan(0);
    expect(new Date(rich.claimNextTask.leaseExpiresAt).getTime()).toBeGreaterThan(new Date(rich.claimNextTask.startedAt).getTime());
    expect(rich.claimNextTask.dependents.map((t: { title: string }) => t.title)).toEqual(['later']);
    expect(rich.claimNextTask.complexity).toMatchObject({ taskId: second.id });

    const done = await ts.ok(`mutation($id: ID!) { completeTask(id: $id, workerId: "w", result: { ok: 1 }) { id } }`, { id: first.id });
    expect(done.completeTask).toEqual({ id: first.id });
    const full = await ts.ok(`mutation($id: ID!) { completeTask(id: $id, workerId: "w2") { status result completedAt workerId dependents { status } } }`, { id: second.id });
    expect(full.completeTask).toMatchObject({ status: 'COMPLETED', result: null, workerId: null, dependents: [{ status: 'READY' }] });
    expect(new Date(full.completeTask.completedAt).getTime()).toBeGreaterThan(0);
    const stored = await ts.ok(`query($id: ID!) { task(id: $id) { result status description context } }`, { id: first.id });
    expect(stored.task).toEqual({ result: { ok: 1 }, status: 'COMPLETED', description: 'the first', context: { n: 1 } });
  });
});
