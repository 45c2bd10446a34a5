import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TestServer } from '../helpers/server';
import { claim, complete, createProject, createTask, errorCode, getTask } from '../helpers/fixtures';
import { waitUntil } from '../helpers/ws-client';
import { db, transitions } from '../helpers/time';

let ts: TestServer;
beforeAll(async () => {
  // Claims do not tell the sweeper of their deadlines (the claim path stays lean): a regular
  // sweep (every second here) reads the next deadline and the sweeper sleeps until it.
  ts = await startTestServer({ config: { sweepIntervalMs: 1_000 } });
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
    const elapsed = new Date(ended).getTime() - new Date(c.startedAt).getTime();
    expect(elapsed).toBeGreaterThanOrEqual(2_000);
    expect(elapsed).toBeLessThan(6_000); // not the 60 s lease
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
    expect((await getTask(ts, t.id)).status).toBe('FAILED');
    expect((await getTask(ts, d.id)).status).toBe('BLOCKED');
    expect((await transitions(ts, t.id)).map((s) => s.step)).toContain('RUNNING>FAILED');
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
