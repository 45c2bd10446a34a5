import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TestServer } from '../helpers/server';
import { claim, complete, createProject, createTask, errorCode, getTask } from '../helpers/fixtures';

let ts: TestServer;
beforeAll(async () => {
  ts = await startTestServer();
});
afterAll(async () => {
  await ts?.close();
});

const CANCEL = `mutation($id: ID!, $r: String!, $c: Boolean) { cancelTask(id: $id, reason: $r, cascade: $c) { id status metadata workerId } }`;

describe('cancelTask', () => {
  it('stores the reason and cancelledAt', async () => {
    const p = await createProject(ts);
    const t = await createTask(ts, { projectId: p, title: 't' });
    const before = Date.now();
    const c = (await ts.ok(CANCEL, { id: t.id, r: 'no longer needed' })).cancelTask;
    expect(c.status).toBe('CANCELLED');
    expect(c.metadata.reason).toBe('no longer needed');
    expect(new Date(c.metadata.cancelledAt).getTime()).toBeGreaterThanOrEqual(before - 1000);
  });

  it('cancels a RUNNING task; its worker is then told it no longer holds it', async () => {
    const p = await createProject(ts);
    const t = await createTask(ts, { projectId: p, title: 't' });
    await claim(ts, p, 'w1');
    expect((await ts.ok(CANCEL, { id: t.id, r: 'stop' })).cancelTask).toMatchObject({ status: 'CANCELLED', workerId: null });
    const hb = await ts.gql(`mutation($id: ID!) { heartbeatTask(id: $id, workerId: "w1") { id } }`, { id: t.id });
    expect(errorCode(hb)).toBe('LEASE_NOT_HELD');
    expect(errorCode(await complete(ts, t.id, 'w1'))).toBe('INVALID_TRANSITION');
  });

  it('blocks dependents by default, and cancels them with cascade', async () => {
    const p = await createProject(ts);
    const a = await createTask(ts, { projectId: p, title: 'a' });
    const b = await createTask(ts, { projectId: p, title: 'b', dependencies: [a.id] });
    await ts.ok(CANCEL, { id: a.id, r: 'dropped' });
    const bb = await getTask(ts, b.id);
    expect(bb.status).toBe('BLOCKED');
    expect(bb.metadata.reason).toContain('was cancelled: dropped');

    const x = await createTask(ts, { projectId: p, title: 'x' });
    const y = await createTask(ts, { projectId: p, title: 'y', dependencies: [x.id] });
    const z = await createTask(ts, { projectId: p, title: 'z', dependencies: [y.id] });
    await ts.ok(CANCEL, { id: x.id, r: 'whole branch', c: true });
    for (const id of [y.id, z.id]) {
      const t = await getTask(ts, id);
      expect(t.status).toBe('CANCELLED');
      expect(t.metadata.reason).toContain('whole branch');
      expect(t.metadata.cancelledAt).toBeTruthy();
    }
  });

  it('refuses to cancel a finished task', async () => {
    const p = await createProject(ts);
    const t = await createTask(ts, { projectId: p, title: 't' });
    await claim(ts, p, 'w');
    await complete(ts, t.id, 'w');
    const r = await ts.gql(CANCEL, { id: t.id, r: 'late' });
    expect(errorCode(r)).toBe('INVALID_TRANSITION');
    expect(r.errors![0].message).toBe('Invalid state transition: COMPLETED -> CANCELLED');
    expect((await getTask(ts, t.id)).metadata.reason).toBeUndefined();
  });

  it('requires a reason', async () => {
    const p = await createProject(ts);
    const t = await createTask(ts, { projectId: p, title: 't' });
    expect(errorCode(await ts.gql(CANCEL, { id: t.id, r: ' ' }))).toBe('BAD_USER_INPUT');
  });
});

describe('updateTaskPriority', () => {
  it('changes the claim order and refuses values outside 1..10', async () => {
    const p = await createProject(ts);
    await createTask(ts, { projectId: p, title: 'a', priority: 5 });
    const b = await createTask(ts, { projectId: p, title: 'b', priority: 3 });
    const up = await ts.ok(`mutation($id: ID!) { updateTaskPriority(id: $id, priority: 9) { priority effectivePriority } }`, { id: b.id });
    expect(up.updateTaskPriority).toEqual({ priority: 9, effectivePriority: 9 });
    expect((await claim(ts, p)).id).toBe(b.id);
    const bad = await ts.gql(`mutation($id: ID!) { updateTaskPriority(id: $id, priority: 11) { priority } }`, { id: b.id });
    expect(errorCode(bad)).toBe('BAD_USER_INPUT');
  });
});
