import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TestServer } from '../helpers/server';
import { createProject, createTask, errorCode, getTask } from '../helpers/fixtures';
import { collect, connectClient, LiveClient, subscriberCount, waitUntil } from '../helpers/ws-client';

let ts: TestServer;
let live: LiveClient;
beforeAll(async () => {
  ts = await startTestServer({ config: { sweepIntervalMs: 100 } });
  live = await connectClient(ts.wsUrl);
});
afterAll(async () => {
  await live?.dispose();
  await ts?.close();
});

const FIELDS = 'id status attempt retryCount workerId leaseExpiresAt progress { percent message at }';
const CLAIM = `mutation($p: ID!, $w: String!, $l: Int) { claimNextTask(projectId: $p, workerId: $w, leaseSeconds: $l) { ${FIELDS} } }`;
const COMPLETE = `mutation($id: ID!, $w: String, $a: Int) { completeTask(id: $id, workerId: $w, attempt: $a, result: { ok: true }) { ${FIELDS} } }`;
const COMPLETE_MANY = `mutation($i: [CompleteTaskInput!]!) { completeTasks(inputs: $i) { ${FIELDS} } }`;
const HEARTBEAT = `mutation($id: ID!, $w: String!, $a: Int) { heartbeatTask(id: $id, workerId: $w, attempt: $a) { ${FIELDS} } }`;
const HEARTBEATS = `mutation($i: [HeartbeatInput!]!) { heartbeatTasks(inputs: $i) { ${FIELDS} } }`;
const FAIL = `mutation($id: ID!, $w: String, $a: Int) { failTask(id: $id, workerId: $w, attempt: $a, error: "boom") { ${FIELDS} } }`;
const RELEASE = `mutation($id: ID!, $w: String!, $a: Int) { releaseTask(id: $id, workerId: $w, attempt: $a) { ${FIELDS} } }`;
const RELEASES = `mutation($i: [ReleaseInput!]!) { releaseTasks(inputs: $i) { ${FIELDS} } }`;
const PROGRESS = `mutation($id: ID!, $w: String!, $a: Int, $p: Float!, $m: String) { reportProgress(id: $id, workerId: $w, attempt: $a, percent: $p, message: $m) { ${FIELDS} } }`;

async function claim(projectId: string, workerId: string, leaseSeconds?: number) {
  return (await ts.ok(CLAIM, { p: projectId, w: workerId, l: leaseSeconds })).claimNextTask;
}

/** A task whose first attempt (by worker w) lost its lease and was claimed again by w: attempt 2 runs. */
async function reclaimedUnderSameWorker() {
  const p = await createProject(ts);
  const t = await createTask(ts, { projectId: p, title: 't' });
  const first = await claim(p, 'w', 1);
  expect(first.attempt).toBe(1);
  await waitUntil(async () => (await getTask(ts, t.id)).status !== 'RUNNING', 10_000, 'the lease to expire');
  let second = null;
  await waitUntil(async () => (second = await claim(p, 'w')) !== null, 10_000, 'the task to be claimable again');
  expect(second!.id).toBe(t.id);
  expect(second!.attempt).toBe(2);
  return { p, id: t.id as string };
}

describe('fencing: a stale attempt changes nothing', () => {
  it('the late completion of an expired attempt is refused, even under the same workerId', async () => {
    const { id } = await reclaimedUnderSameWorker();
    const late = await ts.gql(COMPLETE, { id, w: 'w', a: 1 });
    expect(errorCode(late)).toBe('LEASE_NOT_HELD');
    expect(late.errors![0].extensions).toMatchObject({ attempt: 1, currentAttempt: 2 });
    expect(errorCode(await ts.gql(COMPLETE_MANY, { i: [{ id, workerId: 'w', attempt: 1 }] }))).toBe('LEASE_NOT_HELD');
    expect(errorCode(await ts.gql(HEARTBEAT, { id, w: 'w', a: 1 }))).toBe('LEASE_NOT_HELD');
    expect(errorCode(await ts.gql(FAIL, { id, w: 'w', a: 1 }))).toBe('LEASE_NOT_HELD');
    expect(errorCode(await ts.gql(RELEASE, { id, w: 'w', a: 1 }))).toBe('LEASE_NOT_HELD');
    expect(errorCode(await ts.gql(PROGRESS, { id, w: 'w', a: 1, p: 50 }))).toBe('LEASE_NOT_HELD');
    const still = await getTask(ts, id);
    expect(still).toMatchObject({ status: 'RUNNING', workerId: 'w', retryCount: 1, result: null });
    // The current attempt is untouched and completes.
    expect((await ts.ok(HEARTBEAT, { id, w: 'w', a: 2 })).heartbeatTask.status).toBe('RUNNING');
    expect((await ts.ok(COMPLETE, { id, w: 'w', a: 2 })).completeTask).toMatchObject({ status: 'COMPLETED', attempt: 2 });
  });

  it('completeTasks with one stale attempt completes none of the batch', async () => {
    const { p, id } = await reclaimedUnderSameWorker();
    const other = await createTask(ts, { projectId: p, title: 'o' });
    const o = await claim(p, 'w');
    expect(o.id).toBe(other.id);
    const r = await ts.gql(COMPLETE_MANY, { i: [{ id: o.id, workerId: 'w', attempt: o.attempt }, { id, workerId: 'w', attempt: 1 }] });
    expect(errorCode(r)).toBe('LEASE_NOT_HELD');
    expect((await getTask(ts, o.id)).status).toBe('RUNNING');
  });

  it('without attempt the calls behave as before (holder check only)', async () => {
    const p = await createProject(ts);
    const t = await createTask(ts, { projectId: p, title: 't' });
    await claim(p, 'w');
    expect((await ts.ok(COMPLETE, { id: t.id, w: 'w' })).completeTask.status).toBe('COMPLETED');
  });

  it('refuses an attempt below 1 as BAD_USER_INPUT', async () => {
    const p = await createProject(ts);
    const t = await createTask(ts, { projectId: p, title: 't' });
    await claim(p, 'w');
    expect(errorCode(await ts.gql(HEARTBEAT, { id: t.id, w: 'w', a: 0 }))).toBe('BAD_USER_INPUT');
  });
});

describe('heartbeatTasks', () => {
  it('renews every lease still held in one call and leaves out the lost ones', async () => {
    const { p, id: stale } = await reclaimedUnderSameWorker();
    await createTask(ts, { projectId: p, title: 'a' });
    await createTask(ts, { projectId: p, title: 'b' });
    const a = await claim(p, 'w', 5);
    const b = await claim(p, 'w', 5);
    const held = (
      await ts.ok(HEARTBEATS, {
        i: [
          { id: a.id, workerId: 'w', attempt: a.attempt, leaseSeconds: 120 },
          { id: stale, workerId: 'w', attempt: 1, leaseSeconds: 120 },
          { id: b.id, workerId: 'other', leaseSeconds: 120 },
        ],
      })
    ).heartbeatTasks;
    expect(held.map((t: any) => t.id)).toEqual([a.id]);
    expect(new Date(held[0].leaseExpiresAt).getTime()).toBeGreaterThan(new Date(a.leaseExpiresAt).getTime() + 100_000);
    // The lost ones are unchanged.
    expect((await getTask(ts, b.id)).leaseExpiresAt).toBe(b.leaseExpiresAt);
    expect(errorCode(await ts.gql(HEARTBEATS, { i: [{ id: a.id, workerId: 'w' }, { id: a.id, workerId: 'w' }] }))).toBe('BAD_USER_INPUT');
  });
});

describe('releaseTask(s)', () => {
  it('hands a RUNNING task back to READY at once without charging a retry; taskReady fires', async () => {
    const p = await createProject(ts);
    const t = await createTask(ts, { projectId: p, title: 't' });
    const c = await claim(p, 'w');
    const before = await subscriberCount(ts.url);
    const ready = await collect(live, `subscription($p: ID!) { taskReady(projectId: $p) { id status } }`, { p }, async () => (await subscriberCount(ts.url)) > before);
    const released = (await ts.ok(RELEASE, { id: t.id, w: 'w', a: c.attempt })).releaseTask;
    expect(released).toMatchObject({ status: 'READY', retryCount: 0, workerId: null, leaseExpiresAt: null, attempt: 1 });
    expect((await ready.waitFor(1))[0]).toMatchObject({ id: t.id, status: 'READY' });
    ready.unsubscribe();
    const log = (await ts.orm.em.getConnection().execute(`select previous_status, status from task_event where task_id = '${t.id}' order by id`)) as any[];
    expect(log.map((e) => `${e.previous_status}->${e.status}`)).toEqual(['null->READY', 'READY->RUNNING', 'RUNNING->READY']);
    // Claimed again: a new attempt.
    expect((await claim(p, 'w2')).attempt).toBe(2);
    // Not held any more: refused.
    expect(errorCode(await ts.gql(RELEASE, { id: t.id, w: 'w' }))).toBe('LEASE_NOT_HELD');
  });

  it('releaseTasks releases what the caller holds and skips the rest', async () => {
    const p = await createProject(ts);
    for (const title of ['a', 'b', 'c']) await createTask(ts, { projectId: p, title });
    const a = await claim(p, 'w');
    const b = await claim(p, 'w');
    const c = await claim(p, 'other');
    const released = (
      await ts.ok(RELEASES, {
        i: [
          { id: a.id, workerId: 'w', attempt: a.attempt },
          { id: b.id, workerId: 'w', attempt: b.attempt + 1 },
          { id: c.id, workerId: 'w' },
        ],
      })
    ).releaseTasks;
    expect(released.map((t: any) => t.id)).toEqual([a.id]);
    expect((await getTask(ts, b.id)).status).toBe('RUNNING');
    expect((await getTask(ts, c.id)).status).toBe('RUNNING');
  });
});

describe('reportProgress and taskProgress', () => {
  it('stores the progress and raises coalesced ProgressEvents, the newest always delivered', async () => {
    const p = await createProject(ts);
    const t = await createTask(ts, { projectId: p, title: 't' });
    const c = await claim(p, 'w');
    const events = await collect<any>(
      live,
      `subscription($p: ID!, $ids: [ID!]) { taskProgress(projectId: $p, taskIds: $ids) { taskId projectId attempt progress { percent message at } } }`,
      { p, ids: [t.id] },
    );
    // graphql-ws does not acknowledge a subscribe: report until the subscription hears one.
    for (let n = 0; events.events.length === 0; n++) {
      if (n === 20) throw new Error('no progress event arrived');
      const first = (await ts.ok(PROGRESS, { id: t.id, w: 'w', a: c.attempt, p: 1, m: 'starting' })).reportProgress;
      expect(first.progress).toMatchObject({ percent: 1, message: 'starting' });
      await events.waitFor(1, 500).catch(() => {});
    }
    for (let i = 2; i <= 30; i++) await ts.ok(PROGRESS, { id: t.id, w: 'w', a: c.attempt, p: i, m: `step ${i}` });
    await waitUntil(() => events.events.at(-1)?.progress.percent === 30, 5_000, 'the last report to arrive');
    // 30 reports in quick succession: coalesced (at most one per 250 ms per task).
    expect(events.events.length).toBeLessThan(30);
    expect(events.events[0]).toMatchObject({ taskId: t.id, projectId: p, attempt: 1, progress: { percent: 1, message: 'starting' } });
    const stored = await getTask(ts, t.id);
    expect(stored.status).toBe('RUNNING');
    const progress = (await ts.ok(`query($id: ID!) { task(id: $id) { progress { percent message at } } }`, { id: t.id })).task.progress;
    expect(progress).toMatchObject({ percent: 30, message: 'step 30' });
    expect(Number.isNaN(new Date(progress.at).getTime())).toBe(false);
    // Not a status change: nothing in the status log.
    const log = (await ts.orm.em.getConnection().execute(`select count(*)::int as n from task_event where task_id = '${t.id}'`)) as any[];
    expect(log[0].n).toBe(2);
    events.unsubscribe();
    expect(errorCode(await ts.gql(PROGRESS, { id: t.id, w: 'w', p: 101 }))).toBe('BAD_USER_INPUT');
    expect(errorCode(await ts.gql(PROGRESS, { id: t.id, w: 'nobody', p: 5 }))).toBe('LEASE_NOT_HELD');
  });
});
