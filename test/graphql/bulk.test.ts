import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BULK_BATCH_SIZE, BULK_WALKERS } from '../../src/domain/bulk-walk';
import { startTestServer, TestServer } from '../helpers/server';
import { claim, createProject, createTask, errorCode, fail, getTask } from '../helpers/fixtures';

let ts: TestServer;
beforeAll(async () => {
  ts = await startTestServer();
});
afterAll(async () => {
  await ts?.close();
});

const CANCEL_MANY = `mutation($f: TaskFilter!, $r: String!, $c: Boolean, $d: Boolean) { cancelTasks(filter: $f, reason: $r, cascade: $c, dryRun: $d) { matched changed dryRun } }`;
const RETRY_MANY = `mutation($f: TaskFilter!, $d: Boolean) { retryTasks(filter: $f, dryRun: $d) { matched changed dryRun } }`;

async function statuses(projectId: string): Promise<Record<string, number>> {
  const rows = await ts.orm.em
    .getConnection()
    .execute<{ status: string; n: number }[]>(`select status, count(*)::int as n from task where project_id = ? group by status order by status`, [projectId]);
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

async function events(projectId: string): Promise<string[]> {
  const rows = await ts.orm.em
    .getConnection()
    .execute<{ step: string }[]>(`select coalesce(previous_status, 'null') || '>' || status as step from task_event where project_id = ? order by txid, id`, [projectId]);
  return rows.map((r) => r.step);
}

describe('cancelTasks / retryTasks', () => {
  it('a filter without a project is BAD_USER_INPUT; an unknown project PROJECT_NOT_FOUND', async () => {
    expect(errorCode(await ts.gql(CANCEL_MANY, { f: { statuses: ['READY'] }, r: 'x' }))).toBe('BAD_USER_INPUT');
    expect(errorCode(await ts.gql(RETRY_MANY, { f: {} }))).toBe('BAD_USER_INPUT');
    expect(errorCode(await ts.gql(RETRY_MANY, { f: { projectId: '00000000-0000-4000-8000-000000000000' } }))).toBe('PROJECT_NOT_FOUND');
  });

  it('dryRun counts and changes nothing; then the filtered set is cancelled, each change an event, dependents blocked', async () => {
    const p = await createProject(ts);
    const a = await createTask(ts, { projectId: p, title: 'a' });
    const b = await createTask(ts, { projectId: p, title: 'b', assignedTo: 'gpu' });
    const c = await createTask(ts, { projectId: p, title: 'c', dependencies: [a.id] });
    await claim(ts, p, 'w1'); // a is RUNNING
    const other = await createProject(ts);
    await createTask(ts, { projectId: other, title: 'elsewhere' });

    const dry = (await ts.ok(CANCEL_MANY, { f: { projectId: p, statuses: ['READY', 'RUNNING'] }, r: 'cleanup', d: true })).cancelTasks;
    expect(dry).toEqual({ matched: 2, changed: 2, dryRun: true });
    expect(await statuses(p)).toEqual({ PENDING: 1, READY: 1, RUNNING: 1 });

    const real = (await ts.ok(CANCEL_MANY, { f: { projectId: p, statuses: ['READY', 'RUNNING'] }, r: 'cleanup' })).cancelTasks;
    expect(real).toEqual({ matched: 2, changed: 2, dryRun: false });
    expect((await getTask(ts, a.id)).metadata.reason).toBe('cleanup');
    expect((await getTask(ts, b.id)).status).toBe('CANCELLED');
    // c waited on a: BLOCKED, as cancelTask would leave it.
    expect((await getTask(ts, c.id)).status).toBe('BLOCKED');
    expect((await events(p)).filter((e) => e.endsWith('>CANCELLED') || e.endsWith('>BLOCKED')).sort()).toEqual(['PENDING>BLOCKED', 'READY>CANCELLED', 'RUNNING>CANCELLED']);
    expect(await statuses(other)).toEqual({ READY: 1 });

    // Nothing left to change: matched counts the filter, changed nothing.
    expect((await ts.ok(CANCEL_MANY, { f: { projectId: p }, r: 'again', d: true })).cancelTasks).toEqual({ matched: 3, changed: 1, dryRun: true });
  });

  it('cascade cancels the dependents too, and counts them', async () => {
    const p = await createProject(ts);
    const a = await createTask(ts, { projectId: p, title: 'a', assignedTo: 'x' });
    await createTask(ts, { projectId: p, title: 'b', dependencies: [a.id] });
    const r = (await ts.ok(CANCEL_MANY, { f: { projectId: p, assignedTo: 'x' }, r: 'gone', c: true })).cancelTasks;
    expect(r).toEqual({ matched: 1, changed: 2, dryRun: false });
    expect(await statuses(p)).toEqual({ CANCELLED: 2 });
  });

  it('retryTasks: FAILED back to READY (FAILED>RETRYING>READY), their blocked dependents back to PENDING; still-blocked ones stay', async () => {
    const p = await createProject(ts);
    const a = await createTask(ts, { projectId: p, title: 'a', maxRetries: 0 });
    const b = await createTask(ts, { projectId: p, title: 'b', maxRetries: 0 });
    const c = await createTask(ts, { projectId: p, title: 'c', dependencies: [a.id] });
    for (const t of [a, b]) {
      await claim(ts, p, 'w');
      await fail(ts, t.id, 'boom', { workerId: 'w' });
    }
    expect(await statuses(p)).toEqual({ BLOCKED: 1, FAILED: 2 });
    expect((await ts.ok(RETRY_MANY, { f: { projectId: p }, d: true })).retryTasks).toEqual({ matched: 3, changed: 3, dryRun: true });
    expect(await statuses(p)).toEqual({ BLOCKED: 1, FAILED: 2 });

    // The FAILED ones, by status filter: c follows a as a dependent and is counted in changed.
    const r = (await ts.ok(RETRY_MANY, { f: { projectId: p, statuses: ['FAILED'] } })).retryTasks;
    expect(r).toEqual({ matched: 2, changed: 3, dryRun: false });
    expect((await getTask(ts, a.id)).status).toBe('READY');
    expect((await getTask(ts, b.id)).status).toBe('READY');
    expect((await getTask(ts, c.id)).status).toBe('PENDING');
    const steps = await events(p);
    expect(steps.slice(-5).sort()).toEqual(['BLOCKED>PENDING', 'FAILED>RETRYING', 'FAILED>RETRYING', 'RETRYING>READY', 'RETRYING>READY']);
  });

  it('retries a BLOCKED task whose blocker was dealt with; leaves one still blocked', async () => {
    const p = await createProject(ts);
    const a = await createTask(ts, { projectId: p, title: 'a', maxRetries: 0 });
    const c = await createTask(ts, { projectId: p, title: 'c', dependencies: [a.id] });
    await claim(ts, p, 'w');
    await fail(ts, a.id, 'boom', { workerId: 'w' });
    expect((await ts.ok(RETRY_MANY, { f: { projectId: p, statuses: ['BLOCKED'] } })).retryTasks).toEqual({ matched: 1, changed: 0, dryRun: false });
    expect((await getTask(ts, c.id)).status).toBe('BLOCKED');
  });

  it('30,000 tasks in batches of short transactions, every change an event, claims go on meanwhile and each claimed task is cancelled once (100,000: bench Flow)', async () => {
    const p = await createProject(ts);
    const conn = ts.orm.em.getConnection();
    await conn.execute(
      `insert into task (id, project_id, title, priority, effective_priority, status, context, metadata, retry_count, max_retries, waiting_on, created_at, updated_at)
       select gen_random_uuid(), ?, 'bulk ' || i, 5, 5, 'READY', '{}', '{}', 0, 3, 0, now(), now() from generate_series(1, 30000) as i`,
      [p],
    );
    await conn.execute('analyze task');
    // While the bulk cancel runs, a claimer keeps getting answers (claims skip the rows a batch
    // holds, and a batch holds them for one short transaction).
    const claimed: string[] = [];
    let answers = 0;
    let running = true;
    const claimer = (async () => {
      while (running) {
        const t = await claim(ts, p, 'busy');
        answers++;
        if (t) claimed.push(t.id);
      }
    })();
    const r = (await ts.ok(CANCEL_MANY, { f: { projectId: p }, r: 'mass cancel' })).cancelTasks;
    running = false;
    await claimer;
    expect(r.matched).toBe(30_000);
    expect(r.changed).toBe(30_000);
    expect(await statuses(p)).toEqual({ CANCELLED: 30_000 });
    const [{ n, transactions }] = await conn.execute<{ n: number; transactions: number }[]>(
      `select count(*)::int as n, count(distinct txid)::int as transactions from task_event where project_id = ? and status = 'CANCELLED'`,
      [p],
    );
    expect(n).toBe(30_000);
    // One short transaction per batch, not one long one; plus, per slice, one when a batch
    // skipped a row a claim held at that moment (the second pass then cancels it, waiting for the claim).
    expect(transactions).toBeGreaterThanOrEqual(Math.ceil(30_000 / BULK_BATCH_SIZE));
    expect(transactions).toBeLessThanOrEqual(Math.ceil(30_000 / BULK_BATCH_SIZE) + BULK_WALKERS + 1);
    expect(answers).toBeGreaterThan(1);
    // A task claimed during the bulk cancel: claimed once, then cancelled once as a RUNNING task.
    if (claimed.length > 0) {
      const steps = await conn.execute<{ id: string; steps: string }[]>(
        `select task_id::text as id, string_agg(previous_status || '>' || status, ' ' order by txid, id) as steps from task_event where task_id = any(?::uuid[]) group by task_id`,
        [`{${claimed.join(',')}}`],
      );
      expect(new Set(steps.map((s) => s.steps))).toEqual(new Set(['READY>RUNNING RUNNING>CANCELLED']));
    }
  }, 120_000);
});
