import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TestServer } from '../helpers/server';
import { claim, complete, createProject, errorCode } from '../helpers/fixtures';
import { waitUntil } from '../helpers/ws-client';
import { db } from '../helpers/time';

let ts: TestServer;
beforeAll(async () => {
  ts = await startTestServer({ config: { sweepIntervalMs: 60_000 } });
});
afterAll(async () => {
  await ts?.close();
});

const SCHEDULE_FIELDS = 'id projectId name cron timezone overlap catchUp paused nextRunAt lastRunAt';
const UPSERT = `mutation($i: UpsertScheduleInput!) { upsertSchedule(input: $i) { ${SCHEDULE_FIELDS} } }`;

function upsert(input: Record<string, unknown>) {
  return ts.gql(UPSERT, { i: input });
}

async function scheduledTasks(scheduleId: string) {
  return db<{ id: string; run_at: string; idempotency_key: string; status: string; title: string; timeout_seconds: number | null }>(
    ts,
    `select id::text, run_at, idempotency_key, status, title, timeout_seconds from task where metadata->>'scheduleId' = ? order by run_at`,
    [scheduleId],
  );
}

describe('cron schedules', () => {
  it('upsert creates a schedule with defaults, lists it and replaces it by name', async () => {
    const p = await createProject(ts);
    const r = await upsert({ projectId: p, name: 'nightly', cron: '0 3 * * *', timezone: 'Europe/Berlin', task: { title: 'backup' } });
    expect(r.errors).toBeUndefined();
    const s = r.data.upsertSchedule;
    expect(s).toMatchObject({ projectId: p, name: 'nightly', cron: '0 3 * * *', timezone: 'Europe/Berlin', overlap: 'SKIP', catchUp: 'LATEST', paused: false, lastRunAt: null });
    // 03:00 in Berlin is 01:00 or 02:00 UTC.
    expect(new Date(s.nextRunAt).getUTCHours()).toBeGreaterThanOrEqual(1);
    expect(new Date(s.nextRunAt).getTime()).toBeGreaterThan(Date.now());
    const again = (await upsert({ projectId: p, name: 'nightly', cron: '0 4 * * *', task: { title: 'backup' }, paused: true, overlap: 'ALLOW', catchUp: 'NONE' })).data.upsertSchedule;
    expect(again).toMatchObject({ id: s.id, cron: '0 4 * * *', timezone: 'UTC', paused: true, nextRunAt: null, overlap: 'ALLOW', catchUp: 'NONE' });
    const list = (await ts.ok(`query($p: ID!) { schedules(projectId: $p) { ${SCHEDULE_FIELDS} } }`, { p })).schedules;
    expect(list).toHaveLength(1);
    expect(list[0].id).toBe(s.id);
  });

  it.each([
    [{ cron: '* * *' }, 'cron'],
    [{ cron: '99 * * * *' }, 'cron'],
    [{ timezone: 'Nowhere/Special' }, 'timezone'],
    [{ task: { title: 'x', priority: 42 } }, 'task.priority'],
  ])('refuses %o as BAD_USER_INPUT naming the field', async (change, field) => {
    const p = await createProject(ts);
    const r = await upsert({ projectId: p, name: 's', cron: '* * * * *', task: { title: 't' }, ...change });
    expect(errorCode(r)).toBe('BAD_USER_INPUT');
    expect(r.errors![0].extensions.field).toBe(field);
  });

  it('an unknown project or schedule is refused with its code', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    expect(errorCode(await upsert({ projectId: missing, name: 's', cron: '* * * * *', task: { title: 't' } }))).toBe('PROJECT_NOT_FOUND');
    expect(errorCode(await ts.gql(`mutation($id: ID!) { triggerSchedule(id: $id) { id } }`, { id: missing }))).toBe('SCHEDULE_NOT_FOUND');
    expect(errorCode(await ts.gql(`mutation($id: ID!) { deleteSchedule(id: $id) { id } }`, { id: missing }))).toBe('SCHEDULE_NOT_FOUND');
  });

  it('fires every tick once with the template, runAt the tick and a unique key; lastRunAt follows', async () => {
    const p = await createProject(ts);
    const s = (await upsert({ projectId: p, name: 'every-second', cron: '* * * * * *', overlap: 'ALLOW', task: { title: 'tick', timeoutSeconds: 30, priority: 7 } })).data.upsertSchedule;
    await waitUntil(async () => (await scheduledTasks(s.id)).length >= 3, 10_000, 'three ticks');
    await ts.ok(`mutation($i: UpsertScheduleInput!) { upsertSchedule(input: $i) { id } }`, { i: { projectId: p, name: 'every-second', cron: '* * * * * *', paused: true, task: { title: 'tick' } } });
    const tasks = await scheduledTasks(s.id);
    const runAts = tasks.map((t) => new Date(t.run_at).getTime());
    for (let i = 1; i < runAts.length; i++) expect(runAts[i]! - runAts[i - 1]!).toBe(1_000); // none missed, none twice
    for (const t of tasks) {
      expect(new Date(t.run_at).getMilliseconds()).toBe(0);
      expect(t.idempotency_key).toBe(`schedule:${s.id}:${new Date(t.run_at).toISOString()}`);
      expect(t).toMatchObject({ title: 'tick', timeout_seconds: 30 });
    }
    const listed = (await ts.ok(`query($p: ID!) { schedules(projectId: $p) { lastRunAt } }`, { p })).schedules[0];
    expect(new Date(listed.lastRunAt).getTime()).toBe(runAts[runAts.length - 1]);
  });

  it('SKIP creates nothing while the previous run is unfinished', async () => {
    const p = await createProject(ts);
    const s = (await upsert({ projectId: p, name: 'skip', cron: '* * * * * *', task: { title: 'slow' } })).data.upsertSchedule;
    await waitUntil(async () => (await scheduledTasks(s.id)).length >= 1, 10_000, 'the first tick');
    const first = (await claim(ts, p, 'w1'))!;
    await new Promise((r) => setTimeout(r, 2_500)); // two or three ticks while it runs
    expect(await scheduledTasks(s.id)).toHaveLength(1);
    await complete(ts, first.id, 'w1');
    await waitUntil(async () => (await scheduledTasks(s.id)).length >= 2, 10_000, 'the next tick after it finished');
    await ts.ok(`mutation($id: ID!) { deleteSchedule(id: $id) { id } }`, { id: s.id });
  });

  it('after downtime LATEST fires the most recent missed tick once; NONE fires nothing', async () => {
    const p = await createProject(ts);
    const latest = (await upsert({ projectId: p, name: 'latest', cron: '0 * * * *', task: { title: 'hourly' } })).data.upsertSchedule;
    const none = (await upsert({ projectId: p, name: 'none', cron: '0 * * * *', catchUp: 'NONE', task: { title: 'hourly' } })).data.upsertSchedule;
    // As if the service had been down for five hours: the awaited tick is long past.
    await db(ts, `update schedule set next_run_at = date_trunc('hour', now()) - interval '5 hours' where id in (?, ?)`, [latest.id, none.id]);
    ts.server.sweeper.wakeAt(new Date());
    await waitUntil(async () => (await db(ts, `select count(*)::int as n from schedule where id in (?, ?) and next_run_at > now()`, [latest.id, none.id]))[0].n === 2, 10_000, 'both to move on');
    const fired = await scheduledTasks(latest.id);
    expect(fired).toHaveLength(1);
    const [{ hour }] = await db(ts, `select date_trunc('hour', now()) as hour`);
    expect(new Date(fired[0]!.run_at).getTime()).toBe(new Date(hour).getTime());
    expect(await scheduledTasks(none.id)).toHaveLength(0);
  });

  it('triggerSchedule creates a run now, even while paused; deleteSchedule keeps its tasks', async () => {
    const p = await createProject(ts);
    const s = (await upsert({ projectId: p, name: 'manual', cron: '0 0 1 1 *', paused: true, task: { title: 'by hand', metadata: { k: 1 } } })).data.upsertSchedule;
    const t = (await ts.ok(`mutation($id: ID!) { triggerSchedule(id: $id) { id title status runAt idempotencyKey metadata } }`, { id: s.id })).triggerSchedule;
    expect(t).toMatchObject({ title: 'by hand', status: 'READY' });
    expect(t.metadata).toMatchObject({ k: 1, scheduleId: s.id });
    expect(t.idempotencyKey).toBe(`schedule:${s.id}:${new Date(t.runAt).toISOString()}`);
    const deleted = (await ts.ok(`mutation($id: ID!) { deleteSchedule(id: $id) { id lastRunAt } }`, { id: s.id })).deleteSchedule;
    expect(deleted.lastRunAt).toBe(t.runAt);
    expect((await ts.ok(`query($p: ID!) { schedules(projectId: $p) { id } }`, { p })).schedules).toEqual([]);
    expect(await scheduledTasks(s.id)).toHaveLength(1);
  });
});
