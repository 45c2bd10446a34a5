import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TestServer } from '../helpers/server';
import { claim, complete, createProject, createTask, errorCode, fail, getTask } from '../helpers/fixtures';

let ts: TestServer;
beforeAll(async () => {
  ts = await startTestServer();
});
afterAll(async () => {
  await ts?.close();
});

const ADD = `mutation($t: ID!, $d: ID!) { addDependency(taskId: $t, dependsOn: $d) { id status dependencies } }`;
const REMOVE = `mutation($t: ID!, $d: ID!) { removeDependency(taskId: $t, dependsOn: $d) { id status dependencies } }`;
const RESOLVE = `query($t: ID!) { resolveDependencies(taskId: $t) { id title } }`;
const DEADLOCKS = `query($p: ID!) { detectDeadlocks(projectId: $p) { cycles stalled { task { id status } reason blockedBy } } }`;

/** The API refuses cycles; tests of the detector insert one directly, as legacy data might hold. */
async function insertEdge(taskId: string, dependsOn: string) {
  await ts.orm.em.fork().getConnection().execute(`insert into task_dependency (task_id, depends_on_id) values ('${taskId}', '${dependsOn}')`);
}

describe('resolveDependencies', () => {
  it('returns a chain in an order it can run', async () => {
    const p = await createProject(ts);
    const a = await createTask(ts, { projectId: p, title: 'a' });
    const b = await createTask(ts, { projectId: p, title: 'b', dependencies: [a.id] });
    const c = await createTask(ts, { projectId: p, title: 'c', dependencies: [b.id] });
    const d = await createTask(ts, { projectId: p, title: 'd', dependencies: [c.id, a.id] });
    const order = (await ts.ok(RESOLVE, { t: d.id })).resolveDependencies.map((t: any) => t.title);
    expect(order).toEqual(['a', 'b', 'c']);
  });

  it('reports a cycle as TASK_DEPENDENCY_ERROR with the cycle as the chain and a recovery hint', async () => {
    const p = await createProject(ts);
    const a = await createTask(ts, { projectId: p, title: 'a' });
    const b = await createTask(ts, { projectId: p, title: 'b', dependencies: [a.id] });
    await insertEdge(a.id, b.id);
    const r = await ts.gql(RESOLVE, { t: b.id });
    expect(errorCode(r)).toBe('TASK_DEPENDENCY_ERROR');
    expect(r.errors![0].extensions.dependencyChain).toEqual(expect.arrayContaining([a.id, b.id]));
    expect(r.errors![0].extensions.recovery).toBe(
      'Break circular dependency by removing one dependency link, or ensure all referenced tasks exist.',
    );
  });

  it('an unknown task is TASK_NOT_FOUND', async () => {
    expect(errorCode(await ts.gql(RESOLVE, { t: '00000000-0000-4000-8000-000000000777' }))).toBe('TASK_NOT_FOUND');
  });
});

describe('addDependency / removeDependency', () => {
  it('adds an edge, moving a READY task whose new dependency is done... and a PENDING one stays PENDING', async () => {
    const p = await createProject(ts);
    const a = await createTask(ts, { projectId: p, title: 'a' });
    const b = await createTask(ts, { projectId: p, title: 'b' });
    const c = await createTask(ts, { projectId: p, title: 'c', dependencies: [a.id] });
    const added = (await ts.ok(ADD, { t: c.id, d: b.id })).addDependency;
    expect(added.status).toBe('PENDING');
    expect([...added.dependencies].sort()).toEqual([a.id, b.id].sort());
    // Removing both dependencies makes it READY.
    await ts.ok(REMOVE, { t: c.id, d: a.id });
    expect((await ts.ok(REMOVE, { t: c.id, d: b.id })).removeDependency).toMatchObject({ status: 'READY', dependencies: [] });
  });

  it('refuses self-dependency, cycles, missing tasks and unfinished dependencies on READY tasks', async () => {
    const p = await createProject(ts);
    const a = await createTask(ts, { projectId: p, title: 'a' });
    const b = await createTask(ts, { projectId: p, title: 'b', dependencies: [a.id] });
    const c = await createTask(ts, { projectId: p, title: 'c', dependencies: [b.id] });
    const self = await ts.gql(ADD, { t: b.id, d: b.id });
    expect(errorCode(self)).toBe('TASK_DEPENDENCY_ERROR');
    const cycle = await ts.gql(ADD, { t: a.id, d: c.id });
    expect(errorCode(cycle)).toBe('TASK_DEPENDENCY_ERROR');
    expect(cycle.errors![0].message).toMatch(/would create a cycle/);
    expect(cycle.errors![0].extensions.dependencyChain).toEqual([a.id, c.id, b.id, a.id]);
    const missing = await ts.gql(ADD, { t: b.id, d: '00000000-0000-4000-8000-000000000404' });
    expect(errorCode(missing)).toBe('TASK_DEPENDENCY_ERROR');
    expect(missing.errors![0].extensions.dependencyChain[1]).toMatch(/not found/);
    const onReady = await ts.gql(ADD, { t: a.id, d: (await createTask(ts, { projectId: p, title: 'new' })).id });
    expect(errorCode(onReady)).toBe('INVALID_TRANSITION');
    expect((await getTask(ts, a.id)).dependencies).toEqual([]);
  });

  it('an added dependency on a FAILED task blocks the waiting task', async () => {
    const p = await createProject(ts);
    const bad = await createTask(ts, { projectId: p, title: 'bad', maxRetries: 0, priority: 10 });
    await claim(ts, p, 'w');
    await fail(ts, bad.id, 'boom');
    const base = await createTask(ts, { projectId: p, title: 'base' });
    const waiting = await createTask(ts, { projectId: p, title: 'waiting', dependencies: [base.id] });
    expect((await ts.ok(ADD, { t: waiting.id, d: bad.id })).addDependency.status).toBe('BLOCKED');
  });
});

describe('detectDeadlocks', () => {
  it('detects a two-task cycle', async () => {
    const p = await createProject(ts);
    const a = await createTask(ts, { projectId: p, title: 'a' });
    const b = await createTask(ts, { projectId: p, title: 'b', dependencies: [a.id] });
    await insertEdge(a.id, b.id);
    const r = (await ts.ok(DEADLOCKS, { p })).detectDeadlocks;
    expect(r.cycles).toHaveLength(1);
    expect([...r.cycles[0]].sort()).toEqual([a.id, b.id].sort());
  });

  it('a DAG reports no cycle and nothing stalled', async () => {
    const p = await createProject(ts);
    const a = await createTask(ts, { projectId: p, title: 'a' });
    const b = await createTask(ts, { projectId: p, title: 'b', dependencies: [a.id] });
    await createTask(ts, { projectId: p, title: 'c', dependencies: [a.id, b.id] });
    expect((await ts.ok(DEADLOCKS, { p })).detectDeadlocks).toEqual({ cycles: [], stalled: [] });
  });

  it('reports the dependents of a FAILED task as stalled, with the reason and the blocker', async () => {
    const p = await createProject(ts);
    const a = await createTask(ts, { projectId: p, title: 'a', maxRetries: 0 });
    const b = await createTask(ts, { projectId: p, title: 'b', dependencies: [a.id] });
    const c = await createTask(ts, { projectId: p, title: 'c', dependencies: [b.id] });
    await claim(ts, p, 'w');
    await fail(ts, a.id, 'boom');
    const r = (await ts.ok(DEADLOCKS, { p })).detectDeadlocks;
    expect(r.cycles).toEqual([]);
    const byId = new Map(r.stalled.map((s: any) => [s.task.id, s]));
    expect(byId.size).toBe(2);
    expect(byId.get(b.id)).toMatchObject({ blockedBy: [a.id] });
    expect((byId.get(b.id) as any).reason).toMatch(new RegExp(`waits on FAILED task ${a.id}`));
    expect((byId.get(c.id) as any).reason).toMatch(/transitively/);
  });

  it('an unknown project is PROJECT_NOT_FOUND', async () => {
    expect(errorCode(await ts.gql(DEADLOCKS, { p: '00000000-0000-4000-8000-000000000123' }))).toBe('PROJECT_NOT_FOUND');
  });
});

describe('completing after dependency edits', () => {
  it('promotes a task once its remaining dependency completes', async () => {
    const p = await createProject(ts);
    const a = await createTask(ts, { projectId: p, title: 'a' });
    const b = await createTask(ts, { projectId: p, title: 'b', dependencies: [a.id] });
    await claim(ts, p, 'w');
    await complete(ts, a.id, 'w');
    expect((await getTask(ts, b.id)).status).toBe('READY');
  });
});
