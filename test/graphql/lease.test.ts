import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TestServer } from '../helpers/server';
import { claim, complete, createProject, createTask, errorCode, getTask } from '../helpers/fixtures';

let ts: TestServer;
beforeAll(async () => {
  ts = await startTestServer({ config: { sweepIntervalMs: 100 } });
});
afterAll(async () => {
  await ts?.close();
});

const HEARTBEAT = `mutation($id: ID!, $w: String!, $l: Int) { heartbeatTask(id: $id, workerId: $w, leaseSeconds: $l) { id leaseExpiresAt } }`;

async function waitFor<T>(read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 5_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (done(v) || Date.now() > until) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('leases', () => {
  it('heartbeat extends the lease of the holder', async () => {
    const p = await createProject(ts);
    const t = await createTask(ts, { projectId: p, title: 't' });
    const c = await claim(ts, p, 'w1', { l: 5 });
    const hb = (await ts.ok(HEARTBEAT, { id: t.id, w: 'w1', l: 60 })).heartbeatTask;
    expect(new Date(hb.leaseExpiresAt).getTime()).toBeGreaterThan(new Date(c.leaseExpiresAt).getTime() + 50_000);
  });

  it('a heartbeat from a worker that does not hold the lease is LEASE_NOT_HELD', async () => {
    const p = await createProject(ts);
    const t = await createTask(ts, { projectId: p, title: 't' });
    await claim(ts, p, 'w1');
    const r = await ts.gql(HEARTBEAT, { id: t.id, w: 'w2' });
    expect(errorCode(r)).toBe('LEASE_NOT_HELD');
    expect(r.errors![0].extensions).toMatchObject({ taskId: t.id, workerId: 'w2', status: 'RUNNING' });
    expect(r.errors![0].extensions.recovery).toBeTruthy();
  });

  it('an expired lease returns the task to the queue with an attempt charged; the old holder is refused', async () => {
    const p = await createProject(ts);
    const t = await createTask(ts, { projectId: p, title: 't' });
    await claim(ts, p, 'w1', { l: 1 });
    const after = await waitFor(() => getTask(ts, t.id), (x) => x.status !== 'RUNNING');
    // Due at once: RETRYING, promoted to READY by the same sweeper.
    expect(['RETRYING', 'READY']).toContain(after.status);
    expect(after.retryCount).toBe(1);
    expect(after.metadata.error).toMatch(/lease expired: worker w1/);
    expect(errorCode(await ts.gql(HEARTBEAT, { id: t.id, w: 'w1' }))).toBe('LEASE_NOT_HELD');
    const again = await claim(ts, p, 'w2');
    expect(again.id).toBe(t.id);
    expect(errorCode(await complete(ts, t.id, 'w1'))).toBe('LEASE_NOT_HELD');
    expect((await complete(ts, t.id, 'w2')).data!.completeTask.status).toBe('COMPLETED');
  });

  it('past maxRetries an expired lease FAILS the task and blocks its dependents', async () => {
    const p = await createProject(ts);
    const t = await createTask(ts, { projectId: p, title: 't', maxRetries: 0 });
    const d = await createTask(ts, { projectId: p, title: 'd', dependencies: [t.id] });
    await claim(ts, p, 'w1', { l: 1 });
    const after = await waitFor(() => getTask(ts, t.id), (x) => x.status !== 'RUNNING');
    expect(after.status).toBe('FAILED');
    expect((await getTask(ts, d.id)).status).toBe('BLOCKED');
  });

  it('refuses a lease outside 1..MAX_LEASE_SECONDS', async () => {
    const p = await createProject(ts);
    await createTask(ts, { projectId: p, title: 't' });
    const r = await ts.gql(`mutation($p: ID!) { claimNextTask(projectId: $p, workerId: "w", leaseSeconds: 0) { id } }`, { p });
    expect(errorCode(r)).toBe('BAD_USER_INPUT');
    expect(r.errors![0].message).toMatch(/leaseSeconds must be a whole number from 1 to/);
  });
});
