import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TestServer } from '../helpers/server';
import { claim, complete, createProject, createTask, errorCode, getTask } from '../helpers/fixtures';
import { waitUntil } from '../helpers/ws-client';
import { db, transitions } from '../helpers/time';

let ts: TestServer;
beforeAll(async () => {
  // A regular sweep only once a minute (the largest interval allowed): every attempt ended here
  // within the waits below (10 s each, all of them together under a minute) was ended by the
  // sweeper waking at its deadline, which the claim told it of, not by a regular sweep.
  ts = await startTestServer({ config: { sweepIntervalMs: 60_000 } });
});
afterAll(async () => {
  await ts?.close();
});

const HEARTBEAT = `mutation($id: ID!, $w: String!, $l: Int) { heartbeatTask(id: $id, workerId: $w, leaseSeconds: $l) { id leaseExpiresAt } }`;

describe('timeoutSeconds', () => {
  it('ends an attempt still running timeoutSeconds after its claim; heartbeats do not extend it; it is retried', async () => {
    const p = await createProject(ts);
    const t = await createTask(ts, { projectId: p, title: 't', timeoutSeconds: 2 });
    const c = await claim(ts, p, 'w1', { l: 60 });
    await ts.ok(HEARTBEAT, { id: t.id, w: 'w1', l: 60 });
    await waitUntil(async () => (await getTask(ts, t.id)).status !== 'RUNNING', 10_000, 'the attempt to time out');
    const after = await getTask(ts, t.id);
    expect(['RETRYING', 'READY']).toContain(after.status);
    expect(after.retryCount).toBe(1);
    expect(after.metadata.error).toMatch(/^Timed out after 2 s/);
    const [{ ended }] = await db(ts, `select max(at) as ended from task_event where task_id = ? and previous_status = 'RUNNING'`, [t.id]);
    // Never before the deadline (and, by the wait above, long before the 60 s lease or sweep).
    expect(new Date(ended).getTime() - new Date(c.startedAt).getTime()).toBeGreaterThanOrEqual(2_000);
    expect(errorCode(await ts.gql(HEARTBEAT, { id: t.id, w: 'w1' }))).toBe('LEASE_NOT_HELD');
    // The next attempt gets its own full timeout.
    await waitUntil(async () => (await getTask(ts, t.id)).status === 'READY', 5_000, 'READY again');
    expect((await claim(ts, p, 'w2'))?.id).toBe(t.id);
    expect((await complete(ts, t.id, 'w2')).data.completeTask.status).toBe('COMPLETED');
  });

  it('with no retries left the attempt FAILS and its dependents are BLOCKED', async () => {
    const p = await createProject(ts);
    const t = await createTask(ts, { projectId: p, title: 't', maxRetries: 0, timeoutSeconds: 1 });
    const d = await createTask(ts, { projectId: p, title: 'd', dependencies: [t.id] });
    await claim(ts, p, 'w1', { l: 60 });
    await waitUntil(async () => (await getTask(ts, t.id)).status !== 'RUNNING', 10_000, 'the attempt to time out');
    const failed = await getTask(ts, t.id);
    expect(failed.status).toBe('FAILED');
    expect(failed.metadata.error).toBe('Timed out after 1 s (worker w1)');
    expect((await getTask(ts, d.id)).status).toBe('BLOCKED');
    expect((await transitions(ts, t.id)).map((s) => s.step)).toContain('RUNNING>FAILED');
  });

  it('a lease shorter than the sweep interval expires on time too (the claim tells the sweeper)', async () => {
    const p = await createProject(ts);
    const t = await createTask(ts, { projectId: p, title: 't', maxRetries: 0 });
    await claim(ts, p, 'w1', { l: 1 });
    await waitUntil(async () => (await getTask(ts, t.id)).status === 'FAILED', 10_000, 'the 1 s lease to expire');
    expect((await getTask(ts, t.id)).metadata.error).toBe('lease expired: worker w1 stopped heartbeating');
  });

  it('a timeout claimed while the sweeper sleeps until a later deadline still ends on time', async () => {
    const p = await createProject(ts);
    // The sweeper first sleeps until this one's deadline, 50 s ahead …
    const late = await createTask(ts, { projectId: p, title: 'late', timeoutSeconds: 50, priority: 9 });
    expect((await claim(ts, p, 'w1', { l: 600 })).id).toBe(late.id);
    // … then a 1 s timeout is claimed: the claim moves the wake-up forward.
    const soon = await createTask(ts, { projectId: p, title: 'soon', timeoutSeconds: 1, maxRetries: 0 });
    expect((await claim(ts, p, 'w2', { l: 600 })).id).toBe(soon.id);
    await waitUntil(async () => (await getTask(ts, soon.id)).status === 'FAILED', 10_000, 'the 1 s timeout to end the attempt');
    expect((await getTask(ts, soon.id)).metadata.error).toBe('Timed out after 1 s (worker w2)');
    expect((await getTask(ts, late.id)).status).toBe('RUNNING');
  });

  it('the sweeper finds due timeouts through task_timeout_idx', async () => {
    await db(ts, 'set enable_seqscan = off');
    const plan = await db(
      ts,
      `explain select id from task where status = 'RUNNING' and timeout_seconds is not null
         and task_timeout_at(started_at, timeout_seconds) <= now() order by task_timeout_at(started_at, timeout_seconds) limit 10`,
    );
    expect(plan.map((r: any) => r['QUERY PLAN']).join('\n')).toMatch(/task_timeout_idx/);
  });
});
