import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TestServer } from '../helpers/server';
import { claim, complete, createProject, createTask, getTask } from '../helpers/fixtures';
import { collect, connectClient, LiveClient, subscriberCount, waitUntil } from '../helpers/ws-client';
import { db, scheduleIn, transitions } from '../helpers/time';

let ts: TestServer;
let live: LiveClient;
beforeAll(async () => {
  // A sweep interval far longer than any wait here: promotions must come from the sweeper
  // sleeping until the due time, not from a regular sweep.
  ts = await startTestServer({ config: { sweepIntervalMs: 60_000 } });
  live = await connectClient(ts.wsUrl);
});
afterAll(async () => {
  await live?.dispose();
  await ts?.close();
});

async function readyAt(taskId: string): Promise<Date> {
  await waitUntil(async () => (await getTask(ts, taskId)).status !== 'SCHEDULED', 10_000, `task ${taskId} to leave SCHEDULED`);
  const steps = await transitions(ts, taskId);
  const ready = steps.find((s) => s.step === 'SCHEDULED>READY');
  expect(ready, JSON.stringify(steps)).toBeDefined();
  return ready!.at;
}

describe('runAt', () => {
  it('a SCHEDULED task becomes READY at its runAt, never before, and taskReady fires then', async () => {
    const p = await createProject(ts);
    const before = await subscriberCount(ts.url);
    const sub = await collect(live, `subscription($p: ID!) { taskReady(projectId: $p) { id status runAt } }`, { p }, async () => (await subscriberCount(ts.url)) > before);
    const t = await createTask(ts, { projectId: p, title: 'later' });
    await sub.waitFor(1); // its creation as READY
    const runAt = await scheduleIn(ts, t.id, 700);
    expect((await getTask(ts, t.id)).status).toBe('SCHEDULED');
    // Not claimable while SCHEDULED.
    expect(await claim(ts, p)).toBeNull();
    const at = await readyAt(t.id);
    expect(at.getTime()).toBeGreaterThanOrEqual(runAt.getTime());
    // The sweeper slept until runAt (generous bound: the machine is shared).
    expect(at.getTime() - runAt.getTime()).toBeLessThan(1_000);
    const [ready] = (await sub.waitFor(2)).slice(1);
    expect(ready).toMatchObject({ id: t.id, status: 'READY' });
    expect((await claim(ts, p))?.id).toBe(t.id);
    sub.unsubscribe();
  });

  it('a task created with runAt ahead starts SCHEDULED and is READY at runAt (the creation wakes the sweeper)', async () => {
    const p = await createProject(ts);
    const [{ now }] = await db(ts, 'select now() as now');
    const runAt = new Date(new Date(now).getTime() + 800);
    const t = await createTask(ts, { projectId: p, title: 'at', runAt: runAt.toISOString() });
    expect(t.status).toBe('SCHEDULED');
    const d = await createTask(ts, { projectId: p, title: 'delayed', delaySeconds: 1 });
    expect(d.status).toBe('SCHEDULED');
    const at = await readyAt(t.id);
    expect(at.getTime()).toBeGreaterThanOrEqual(runAt.getTime());
    expect(at.getTime() - runAt.getTime()).toBeLessThan(1_000);
    await readyAt(d.id);
    expect((await transitions(ts, t.id)).map((s) => s.step)).toEqual(['null>SCHEDULED', 'SCHEDULED>READY']);
  });

  it('a dependent whose last dependency completes before its runAt goes SCHEDULED, then READY at runAt', async () => {
    const p = await createProject(ts);
    const a = await createTask(ts, { projectId: p, title: 'a' });
    // b waits on a (PENDING) and should not start before 2 s from now.
    const b = await createTask(ts, { projectId: p, title: 'b', dependencies: [a.id], delaySeconds: 2 });
    expect(b.status).toBe('PENDING');
    const [{ run_at }] = await db(ts, `select run_at from task where id = ?`, [b.id]);
    const runAt = new Date(run_at);
    await claim(ts, p);
    expect((await complete(ts, a.id)).data.completeTask.status).toBe('COMPLETED');
    expect((await getTask(ts, b.id)).status).toBe('SCHEDULED');
    const at = await readyAt(b.id);
    expect(at.getTime()).toBeGreaterThanOrEqual(runAt.getTime());
    expect(at.getTime() - runAt.getTime()).toBeLessThan(1_000);
    expect((await transitions(ts, b.id)).map((s) => s.step)).toEqual(['null>PENDING', 'PENDING>SCHEDULED', 'SCHEDULED>READY']);
  });

  it('a dependent whose runAt has passed goes straight to READY', async () => {
    const p = await createProject(ts);
    const a = await createTask(ts, { projectId: p, title: 'a' });
    const b = await createTask(ts, { projectId: p, title: 'b', dependencies: [a.id], runAt: new Date(Date.now() - 60_000).toISOString() });
    await claim(ts, p);
    await complete(ts, a.id);
    expect((await getTask(ts, b.id)).status).toBe('READY');
  });

  it('a SCHEDULED task can be cancelled and is then never promoted', async () => {
    const p = await createProject(ts);
    const t = await createTask(ts, { projectId: p, title: 't' });
    await scheduleIn(ts, t.id, 300);
    const r = await ts.ok(`mutation($id: ID!) { cancelTask(id: $id, reason: "not needed") { status } }`, { id: t.id });
    expect(r.cancelTask.status).toBe('CANCELLED');
    await new Promise((res) => setTimeout(res, 600));
    expect((await getTask(ts, t.id)).status).toBe('CANCELLED');
    expect((await transitions(ts, t.id)).map((s) => s.step)).toEqual(['null>READY', 'READY>SCHEDULED', 'SCHEDULED>CANCELLED']);
  });

  it('promotes many due tasks at once, each exactly once', async () => {
    const p = await createProject(ts);
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push((await createTask(ts, { projectId: p, title: `t${i}` })).id);
    for (const id of ids) await scheduleIn(ts, id, 400 + (ids.indexOf(id) % 4) * 100);
    await waitUntil(async () => (await db(ts, `select count(*)::int as n from task where project_id = ? and status = 'READY'`, [p]))[0].n === 20, 10_000, 'all 20 READY');
    const [{ n }] = await db(ts, `select count(*)::int as n from task_event where project_id = ? and previous_status = 'SCHEDULED' and status = 'READY'`, [p]);
    expect(n).toBe(20);
  });
});

describe('runAt on unblocking', () => {
  it('a BLOCKED task with runAt ahead whose blocker is removed goes SCHEDULED, not READY', async () => {
    const p = await createProject(ts);
    const a = await createTask(ts, { projectId: p, title: 'a', maxRetries: 0 });
    const b = await createTask(ts, { projectId: p, title: 'b', dependencies: [a.id], delaySeconds: 3600 });
    await claim(ts, p);
    await ts.ok(`mutation($id: ID!) { failTask(id: $id, error: "boom") { status } }`, { id: a.id });
    expect((await getTask(ts, b.id)).status).toBe('BLOCKED');
    await ts.ok(`mutation($t: ID!, $d: ID!) { removeDependency(taskId: $t, dependsOn: $d) { status } }`, { t: b.id, d: a.id });
    expect((await getTask(ts, b.id)).status).toBe('SCHEDULED');
    expect((await transitions(ts, b.id)).map((s) => s.step)).toEqual(['null>PENDING', 'PENDING>BLOCKED', 'BLOCKED>SCHEDULED']);
  });
});
