import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TestServer } from '../helpers/server';
import { claim, createProject, createTask, errorCode, fail, getTask } from '../helpers/fixtures';

let ts: TestServer;
beforeAll(async () => {
  // A long sweep interval: these tests look at RETRYING before the sweeper would promote it.
  ts = await startTestServer({ config: { sweepIntervalMs: 60_000 } });
});
afterAll(async () => {
  await ts?.close();
});

async function running(p: string, input: Record<string, unknown> = {}) {
  const t = await createTask(ts, { projectId: p, title: 'job', ...input });
  const c = await claim(ts, p, 'w1');
  expect(c.id).toBe(t.id);
  return c;
}

describe('failTask', () => {
  it('"Connection timeout" is retried: RETRYING, retryCount 1, retryAt about 60 s ahead, error and failedAt kept', async () => {
    const p = await createProject(ts);
    const t = await running(p);
    const before = Date.now();
    const r = await fail(ts, t.id, 'Connection timeout', { workerId: 'w1' });
    const f = r.data!.failTask;
    expect(f).toMatchObject({ status: 'RETRYING', retryCount: 1, workerId: null });
    expect(f.metadata.error).toBe('Connection timeout');
    expect(new Date(f.metadata.failedAt).getTime()).toBeGreaterThanOrEqual(before - 1000);
    const delay = new Date(f.metadata.retryAt).getTime() - before;
    expect(delay).toBeGreaterThan(58_000);
    expect(delay).toBeLessThan(62_000);
    // Not claimable before its retry time.
    expect(await claim(ts, p, 'w2')).toBeNull();
  });

  it('a validation error is not retried: FAILED at once', async () => {
    const p = await createProject(ts);
    const t = await running(p);
    const f = (await fail(ts, t.id, 'Validation error: field x is required')).data!.failTask;
    expect(f.status).toBe('FAILED');
    expect(f.retryCount).toBe(0);
  });

  it.each(['authentication failed', 'Resource not found', 'invalid token', 'Permission denied for table'])('"%s" is not retried', async (msg) => {
    const p = await createProject(ts);
    const t = await running(p);
    expect((await fail(ts, t.id, msg)).data!.failTask.status).toBe('FAILED');
  });

  it('retryable: false and retryable: true override the message rule', async () => {
    const p = await createProject(ts);
    const t1 = await running(p);
    expect((await fail(ts, t1.id, 'Connection timeout', { retryable: false })).data!.failTask.status).toBe('FAILED');
    const t2 = await running(p);
    expect((await fail(ts, t2.id, 'invalid response', { retryable: true })).data!.failTask.status).toBe('RETRYING');
  });

  it('past maxRetries the task FAILS (maxRetries is honoured)', async () => {
    const p = await createProject(ts);
    const t = await running(p, { maxRetries: 1, retryPolicy: { initialDelaySeconds: 0 } });
    expect((await fail(ts, t.id, 'timeout')).data!.failTask).toMatchObject({ status: 'RETRYING', retryCount: 1 });
    const again = await claim(ts, p, 'w1');
    expect(again.id).toBe(t.id);
    const final = (await fail(ts, t.id, 'timeout')).data!.failTask;
    expect(final).toMatchObject({ status: 'FAILED', retryCount: 1 });
    expect(final.metadata.failureReason).toBe('max_retries_reached');
  });

  it('maxRetries: 0 fails at the first error', async () => {
    const p = await createProject(ts);
    const t = await running(p, { maxRetries: 0 });
    expect((await fail(ts, t.id, 'timeout')).data!.failTask.status).toBe('FAILED');
  });

  it('backs off 60, 120, 240, 480 seconds', async () => {
    const p = await createProject(ts);
    const t = await running(p, { maxRetries: 5 });
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      const f = (await fail(ts, t.id, 'timeout')).data!.failTask;
      delays.push(Math.round((new Date(f.metadata.retryAt).getTime() - new Date(f.metadata.failedAt).getTime()) / 1000));
      // Make it due now, then claim it again.
      await ts.orm.em.fork().getConnection().execute(`update task set available_at = now() where id = '${t.id}'`);
      expect((await claim(ts, p, 'w1')).id).toBe(t.id);
    }
    expect(delays).toEqual([60, 120, 240, 480]);
  });

  it('lowers the priority by one on retry (8 becomes 7), never below 1', async () => {
    const p = await createProject(ts);
    const t = await running(p, { priority: 8 });
    const failed = (await fail(ts, t.id, 'timeout')).data!.failTask;
    expect(failed.priority).toBe(7);
    expect(failed.effectivePriority).toBe(7);
    const p2 = await createProject(ts);
    const low = await running(p2, { priority: 1 });
    expect((await fail(ts, low.id, 'timeout')).data!.failTask.priority).toBe(1);
  });

  it('a final failure blocks every task waiting on it, transitively', async () => {
    const p = await createProject(ts);
    const a = await createTask(ts, { projectId: p, title: 'a', maxRetries: 0 });
    const b = await createTask(ts, { projectId: p, title: 'b', dependencies: [a.id] });
    const c = await createTask(ts, { projectId: p, title: 'c', dependencies: [b.id] });
    await claim(ts, p, 'w1');
    await fail(ts, a.id, 'boom');
    const [bb, cc] = [await getTask(ts, b.id), await getTask(ts, c.id)];
    expect(bb.status).toBe('BLOCKED');
    expect(cc.status).toBe('BLOCKED');
    expect(bb.metadata.reason).toMatch(new RegExp(`dependency ${a.id} failed`));
  });

  it('a worker that does not hold the lease cannot fail the task', async () => {
    const p = await createProject(ts);
    const t = await running(p);
    expect(errorCode(await fail(ts, t.id, 'x', { workerId: 'intruder' }))).toBe('LEASE_NOT_HELD');
    expect((await getTask(ts, t.id)).status).toBe('RUNNING');
  });

  it('failing a task that is not running is an invalid transition', async () => {
    const p = await createProject(ts);
    const t = await createTask(ts, { projectId: p, title: 'ready' });
    const r = await fail(ts, t.id, 'x');
    expect(errorCode(r)).toBe('INVALID_TRANSITION');
    expect(r.errors![0].message).toBe('Invalid state transition: READY -> FAILED');
  });
});

describe('retryTask', () => {
  it('puts a FAILED task back in the queue and unblocks what waited on it', async () => {
    const p = await createProject(ts);
    const a = await createTask(ts, { projectId: p, title: 'a', maxRetries: 0 });
    const b = await createTask(ts, { projectId: p, title: 'b', dependencies: [a.id] });
    await claim(ts, p, 'w1');
    await fail(ts, a.id, 'boom');
    expect((await getTask(ts, b.id)).status).toBe('BLOCKED');
    const r = await ts.ok(`mutation($id: ID!) { retryTask(id: $id) { status } }`, { id: a.id });
    expect(r.retryTask.status).toBe('READY');
    expect((await getTask(ts, b.id)).status).toBe('PENDING');
    expect((await claim(ts, p, 'w1')).id).toBe(a.id);
  });

  it('refuses to retry a task that is neither FAILED nor BLOCKED', async () => {
    const p = await createProject(ts);
    const t = await createTask(ts, { projectId: p, title: 't' });
    const r = await ts.gql(`mutation($id: ID!) { retryTask(id: $id) { status } }`, { id: t.id });
    expect(errorCode(r)).toBe('INVALID_TRANSITION');
    expect(r.errors![0].message).toBe('Invalid state transition: READY -> RETRYING');
  });

  it('refuses to retry a BLOCKED task whose dependency is still FAILED, naming it', async () => {
    const p = await createProject(ts);
    const a = await createTask(ts, { projectId: p, title: 'a', maxRetries: 0 });
    const b = await createTask(ts, { projectId: p, title: 'b', dependencies: [a.id] });
    await claim(ts, p, 'w1');
    await fail(ts, a.id, 'boom');
    const r = await ts.gql(`mutation($id: ID!) { retryTask(id: $id) { status } }`, { id: b.id });
    expect(errorCode(r)).toBe('TASK_DEPENDENCY_ERROR');
    expect(r.errors![0].message).toContain(a.id);
  });
});
