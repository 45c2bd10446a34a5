import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from 'pg';
import { startTestServer, TestServer } from '../helpers/server';
import { claim, complete, createProject, createTask, errorCode, getTask } from '../helpers/fixtures';

let ts: TestServer;
beforeAll(async () => {
  ts = await startTestServer();
});
afterAll(async () => {
  await ts?.close();
});

describe('completeTask', () => {
  it('stores the result and promotes a PENDING dependent to READY in the same transaction', async () => {
    const p = await createProject(ts);
    const a = await createTask(ts, { projectId: p, title: 'a' });
    const b = await createTask(ts, { projectId: p, title: 'b', dependencies: [a.id] });
    expect(b.status).toBe('PENDING');
    await claim(ts, p, 'w1');
    const r = await complete(ts, a.id, 'w1', { answer: 42 });
    expect(r.errors).toBeUndefined();
    expect(r.data!.completeTask).toMatchObject({ status: 'COMPLETED', result: { answer: 42 }, workerId: null, leaseExpiresAt: null });
    expect(r.data!.completeTask.completedAt).toBeTruthy();
    expect((await getTask(ts, b.id)).status).toBe('READY');
  });

  it('promotes a diamond join only when both of its dependencies are COMPLETED', async () => {
    const p = await createProject(ts);
    const { createTasks: [a, b, c, d] } = await ts.ok(
      `mutation($i: [CreateTaskInput!]!) { createTasks(inputs: $i) { id } }`,
      { i: [{ projectId: p, title: 'A', key: 'a' }, { projectId: p, title: 'B', key: 'b', dependencyKeys: ['a'] }, { projectId: p, title: 'C', key: 'c', dependencyKeys: ['a'] }, { projectId: p, title: 'D', key: 'd', dependencyKeys: ['b', 'c'] }] },
    );
    await claim(ts, p, 'w');
    await complete(ts, a.id, 'w');
    expect((await getTask(ts, b.id)).status).toBe('READY');
    expect((await getTask(ts, c.id)).status).toBe('READY');
    const [x, y] = [await claim(ts, p, 'w'), await claim(ts, p, 'w')];
    await complete(ts, x.id, 'w');
    expect((await getTask(ts, d.id)).status).toBe('PENDING');
    await complete(ts, y.id, 'w');
    expect((await getTask(ts, d.id)).status).toBe('READY');
  });

  it('concurrent completion of the two branches of a diamond still promotes the join (no lost update)', async () => {
    for (let round = 0; round < 10; round++) {
      const p = await createProject(ts);
      const { createTasks: tasks } = await ts.ok(
        `mutation($i: [CreateTaskInput!]!) { createTasks(inputs: $i) { id } }`,
        { i: [{ projectId: p, title: 'B', key: 'b' }, { projectId: p, title: 'C', key: 'c' }, { projectId: p, title: 'D', key: 'd', dependencyKeys: ['b', 'c'] }] },
      );
      const [x, y] = [await claim(ts, p, 'w'), await claim(ts, p, 'w')];
      await Promise.all([complete(ts, x.id, 'w'), complete(ts, y.id, 'w')]);
      expect((await getTask(ts, tasks[2].id)).status).toBe('READY');
    }
  });

  it('a stale completion changes nothing and says why', async () => {
    const p = await createProject(ts);
    const t = await createTask(ts, { projectId: p, title: 't' });
    await claim(ts, p, 'w1');
    // Another worker that does not hold the lease.
    const wrong = await complete(ts, t.id, 'w2', { by: 'w2' });
    expect(errorCode(wrong)).toBe('LEASE_NOT_HELD');
    const still = await getTask(ts, t.id);
    expect(still).toMatchObject({ status: 'RUNNING', workerId: 'w1', result: null });
    await complete(ts, t.id, 'w1', { by: 'w1' });
    // Completing again: refused, the stored result untouched.
    const again = await complete(ts, t.id, 'w1', { by: 'again' });
    expect(errorCode(again)).toBe('INVALID_TRANSITION');
    expect(again.errors![0].message).toBe('Invalid state transition: COMPLETED -> COMPLETED');
    expect((await getTask(ts, t.id)).result).toEqual({ by: 'w1' });
  });

  it('a task that is not running cannot be completed (READY -> COMPLETED refused)', async () => {
    const p = await createProject(ts);
    const t = await createTask(ts, { projectId: p, title: 't' });
    const r = await complete(ts, t.id);
    expect(errorCode(r)).toBe('INVALID_TRANSITION');
    expect(r.errors![0].message).toBe('Invalid state transition: READY -> COMPLETED');
  });
});

describe('completeTasks', () => {
  it('completes many in one transaction and promotes their dependents', async () => {
    const p = await createProject(ts);
    const a = await createTask(ts, { projectId: p, title: 'a' });
    const b = await createTask(ts, { projectId: p, title: 'b' });
    const c = await createTask(ts, { projectId: p, title: 'c', dependencies: [a.id, b.id] });
    await claim(ts, p, 'w');
    await claim(ts, p, 'w');
    const data = await ts.ok(`mutation($i: [CompleteTaskInput!]!) { completeTasks(inputs: $i) { id status result } }`, {
      i: [{ id: a.id, workerId: 'w', result: 1 }, { id: b.id, workerId: 'w', result: 2 }],
    });
    expect(data.completeTasks.map((t: any) => [t.id, t.status, t.result])).toEqual([[a.id, 'COMPLETED', 1], [b.id, 'COMPLETED', 2]]);
    expect((await getTask(ts, c.id)).status).toBe('READY');
  });

  it('is all or nothing: one stale id refuses the whole batch', async () => {
    const p = await createProject(ts);
    const a = await createTask(ts, { projectId: p, title: 'a' });
    const b = await createTask(ts, { projectId: p, title: 'b' });
    await claim(ts, p, 'w');
    const r = await ts.gql(`mutation($i: [CompleteTaskInput!]!) { completeTasks(inputs: $i) { id } }`, { i: [{ id: a.id }, { id: b.id }] });
    expect(errorCode(r)).toBe('INVALID_TRANSITION');
    expect((await getTask(ts, a.id)).status).toBe('RUNNING');
  });

  it('rolls back the completions, promotions and events of the inputs around a refused one, and names it', async () => {
    const p = await createProject(ts);
    const a = await createTask(ts, { projectId: p, title: 'a' });
    const b = await createTask(ts, { projectId: p, title: 'b' });
    const c = await createTask(ts, { projectId: p, title: 'c' });
    const d = await createTask(ts, { projectId: p, title: 'd', dependencies: [a.id] });
    const ca = await claim(ts, p, 'w');
    const cb = await claim(ts, p, 'w');
    const cc = await claim(ts, p, 'w');
    expect([ca.id, cb.id, cc.id].sort()).toEqual([a.id, b.id, c.id].sort());
    const events = async () => {
      const db = new Client({ connectionString: ts.db.url });
      await db.connect();
      try {
        return Number((await db.query('select count(*) from task_event where project_id = $1', [p])).rows[0].count);
      } finally {
        await db.end();
      }
    };
    const before = await events();
    // b is held by another worker now: its lease is lost, not its completion's turn.
    const r = await ts.gql(`mutation($i: [CompleteTaskInput!]!) { completeTasks(inputs: $i) { id } }`, {
      i: [{ id: a.id, workerId: 'w' }, { id: b.id, workerId: 'other' }, { id: c.id, workerId: 'w' }],
    });
    expect(errorCode(r)).toBe('LEASE_NOT_HELD');
    expect(r.errors![0]!.message).toContain(b.id);
    for (const id of [a.id, b.id, c.id]) expect((await getTask(ts, id)).status).toBe('RUNNING');
    expect((await getTask(ts, d.id)).status).toBe('PENDING');
    expect(await events()).toBe(before);
    // The same batch with the right holder goes through whole.
    const ok = await ts.ok(`mutation($i: [CompleteTaskInput!]!) { completeTasks(inputs: $i) { id status } }`, {
      i: [{ id: a.id, workerId: 'w' }, { id: b.id, workerId: 'w' }, { id: c.id, workerId: 'w' }],
    });
    expect(ok.completeTasks.map((t: any) => t.status)).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED']);
    expect((await getTask(ts, d.id)).status).toBe('READY');
  });
});
