import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BULK_BATCH_SIZE } from '../../src/domain/bulk-walk';
import { claimBindings, claimStatement } from '../../src/persistence/sql/claim.sql';
import { startTestServer, TestServer } from '../helpers/server';
import { claim, complete, createProject, createTask, errorCode } from '../helpers/fixtures';
import { collect, Collector, connectClient, LiveClient, subscriberCount, waitUntil } from '../helpers/ws-client';

/**
 * cancelTasks / retryTasks over more than one batch: every task of the filter is changed once,
 * RUNNING ones and dependents as the single-task mutations treat them, every change reaches a
 * `taskStatusChanged` subscriber exactly once, and a claim holding a row lock while the bulk
 * action passes is neither lost nor handled twice.
 */

let ts: TestServer;
let live: LiveClient | null = null;
beforeAll(async () => {
  // Room for a whole bulk action's events in one subscriber's queue.
  ts = await startTestServer({ config: { subscriptionBufferLimit: 200_000 } });
});
afterEach(async () => {
  await live?.dispose();
  live = null;
});
afterAll(async () => {
  await ts?.close();
});

const CANCEL_MANY = `mutation($f: TaskFilter!, $r: String!, $c: Boolean, $d: Boolean) { cancelTasks(filter: $f, reason: $r, cascade: $c, dryRun: $d) { matched changed dryRun } }`;
const RETRY_MANY = `mutation($f: TaskFilter!, $d: Boolean) { retryTasks(filter: $f, dryRun: $d) { matched changed dryRun } }`;

interface Ev {
  taskId: string;
  previousStatus: string | null;
  status: string;
}

const conn = () => ts.orm.em.getConnection();

/**
 * `n` tasks assigned to `bulk` in `status` (the filter's set, more than two batches), and, for
 * every 10th of them, a PENDING dependent outside the filter (assigned to `other`) and, for every
 * 25th, a PENDING dependent inside the filter created after everything else, so its dependency
 * is changed in an earlier batch than it is. Written in SQL: creating them through the API would
 * take most of the test's time. Returns the ids by role.
 */
async function seed(projectId: string, n: number, status: 'READY' | 'FAILED') {
  await conn().execute(
    `insert into task (id, project_id, title, priority, effective_priority, status, context, metadata, retry_count, max_retries, waiting_on, assigned_to, created_at, updated_at)
     select gen_random_uuid(), ?, 'bulk ' || i, 5, 5, ?, '{}', '{}', 0, 0, 0, 'bulk', now(), now() from generate_series(1, ?::int) as i`,
    [projectId, status, n],
  );
  const roots = await ids(`select id from task where project_id = ? and assigned_to = 'bulk' order by seq`, [projectId]);
  const outside = await addDependents(projectId, roots.filter((_, i) => i % 10 === 0), 'other');
  const inside = await addDependents(projectId, roots.filter((_, i) => i % 25 === 0), 'bulk');
  await conn().execute('analyze task');
  return { roots, outside, inside };
}

/** One PENDING (or BLOCKED, below a FAILED dependency) dependent per given task, in creation order. */
async function addDependents(projectId: string, dependencies: string[], assignedTo: string): Promise<string[]> {
  const rows = await conn().execute<{ id: string }[]>(
    `with deps as (select d, ord from unnest(?::uuid[]) with ordinality as u(d, ord)),
          made as (
            insert into task (id, project_id, title, priority, effective_priority, status, context, metadata, retry_count, max_retries, waiting_on, assigned_to, created_at, updated_at)
            select gen_random_uuid(), ?, 'dependent ' || ord, 5, 5,
                   case when (select status from task where id = d) = 'FAILED' then 'BLOCKED' else 'PENDING' end,
                   '{}', '{}', 0, 0, 1, ?, now(), now()
              from deps order by ord
            returning id, title
          ), edges as (
            insert into task_dependency (task_id, depends_on_id)
            select made.id, deps.d from made join deps on made.title = 'dependent ' || deps.ord
          )
     select made.id::text from made join deps on made.title = 'dependent ' || deps.ord order by deps.ord`,
    [`{${dependencies.join(',')}}`, projectId, assignedTo],
  );
  return rows.map((r) => r.id);
}

async function ids(query: string, bindings: unknown[]): Promise<string[]> {
  return (await conn().execute<{ id: string }[]>(query.replace('select id', 'select id::text as id'), bindings)).map((r) => r.id);
}

/** Every column of every task of the project, as one digest: "nothing changed" in one comparison. */
async function digest(projectId: string): Promise<string> {
  const [{ d }] = await conn().execute<{ d: string }[]>(`select md5(string_agg(t::text, ',' order by t.id)) as d from task t where project_id = ?`, [projectId]);
  return d;
}

async function statusOf(projectId: string): Promise<Map<string, string>> {
  const rows = await conn().execute<{ id: string; status: string }[]>(`select id::text, status from task where project_id = ?`, [projectId]);
  return new Map(rows.map((r) => [r.id, r.status]));
}

/** Every event of the project, from a live subscription that selects only what the event carries. */
async function watchProject(projectId: string): Promise<Collector<Ev>> {
  live = await connectClient(ts.wsUrl);
  const before = await subscriberCount(ts.url);
  return collect<Ev>(
    live,
    `subscription($p: ID) { taskStatusChanged(projectId: $p) { taskId previousStatus status } }`,
    { p: projectId },
    async () => (await subscriberCount(ts.url)) > before,
  );
}

/**
 * Waits until a marker task's creation event arrives: events come in log order, so every event
 * committed before it has arrived too, and nothing of the bulk action can come after it.
 */
async function drain(sub: Collector<Ev>, projectId: string): Promise<Ev[]> {
  const marker = await createTask(ts, { projectId, title: 'marker', assignedTo: 'marker' });
  await waitUntil(() => sub.events.some((e) => e.taskId === marker.id), 60_000, 'the marker event');
  return sub.events.filter((e) => e.taskId !== marker.id);
}

/**
 * Checks each task's events against its life: they chain (each starts where the previous ended,
 * from `initial`), and the last one ends in the task's current status. A duplicate or a missing
 * event breaks the chain. Returns the events per task.
 */
function expectChains(events: Ev[], initial: Map<string, string>, now: Map<string, string>): Map<string, Ev[]> {
  const byTask = new Map<string, Ev[]>();
  for (const e of events) byTask.set(e.taskId, [...(byTask.get(e.taskId) ?? []), e]);
  for (const [id, list] of byTask) {
    let at = initial.get(id);
    for (const e of list) {
      expect(e.previousStatus, `task ${id}: ${JSON.stringify(list)}`).toBe(at);
      at = e.status;
    }
    expect(at, `task ${id} ends where its events end`).toBe(now.get(id));
  }
  for (const [id, status] of now) if (!byTask.has(id)) expect(status, `task ${id} has no event, so it did not change`).toBe(initial.get(id));
  return byTask;
}

function count(byTask: Map<string, Ev[]>, ids: string[], step: string): number[] {
  return ids.map((id) => (byTask.get(id) ?? []).filter((e) => `${e.previousStatus}>${e.status}` === step || `*>${e.status}` === step).length);
}

describe('bulk actions over several batches', () => {
  it('cancelTasks: RUNNING ones lose their lease, dependents outside the filter are BLOCKED, one event per change, exact counts', async () => {
    const p = await createProject(ts);
    const n = 2 * BULK_BATCH_SIZE + 1_234;
    const { roots, outside, inside } = await seed(p, n, 'READY');
    // Three of the filter's tasks RUNNING, claimed through the API.
    const running = [await claim(ts, p, 'w1'), await claim(ts, p, 'w2'), await claim(ts, p, 'w3')];
    expect(running.map((t) => t.assignedTo)).toEqual(['bulk', 'bulk', 'bulk']);
    const initial = await statusOf(p);
    const sub = await watchProject(p);

    const filter = { projectId: p, assignedTo: 'bulk' };
    const untouched = await digest(p);
    const dry = (await ts.ok(CANCEL_MANY, { f: filter, r: 'retired', d: true })).cancelTasks;
    expect(dry).toEqual({ matched: n + inside.length, changed: n + inside.length, dryRun: true });
    expect(await digest(p)).toBe(untouched);

    const r = (await ts.ok(CANCEL_MANY, { f: filter, r: 'retired' })).cancelTasks;
    expect(r).toEqual({ matched: n + inside.length, changed: n + inside.length, dryRun: false });
    const now = await statusOf(p);
    for (const id of [...roots, ...inside]) expect(now.get(id)).toBe('CANCELLED');
    for (const id of outside) expect(now.get(id)).toBe('BLOCKED');

    const byTask = expectChains(await drain(sub, p), initial, now);
    // Exactly one CANCELLED event per task of the filter (an inside dependent may be BLOCKED
    // first, when its dependency's batch comes before its own: that is a change of its own).
    expect(new Set(count(byTask, [...roots, ...inside], '*>CANCELLED'))).toEqual(new Set([1]));
    expect(new Set(count(byTask, outside, 'PENDING>BLOCKED'))).toEqual(new Set([1]));
    for (const t of running) expect(byTask.get(t.id)!.map((e) => `${e.previousStatus}>${e.status}`)).toEqual(['RUNNING>CANCELLED']);

    // As after cancelTask: the worker no longer holds the task, its completion is refused.
    const [{ worker_id, reason }] = await conn().execute(`select worker_id, metadata->>'reason' as reason from task where id = ?`, [running[0].id]);
    expect({ worker_id, reason }).toEqual({ worker_id: null, reason: 'retired' });
    expect(errorCode(await complete(ts, running[0].id, 'w1'))).toBe('INVALID_TRANSITION');
    // Batches are transactions of their own (the events of one batch share its transaction id).
    const [{ transactions }] = await conn().execute(`select count(distinct txid)::int as transactions from task_event where project_id = ? and status = 'CANCELLED'`, [p]);
    expect(transactions).toBeGreaterThanOrEqual(3);
  }, 180_000);

  it('cancelTasks with cascade: dependents outside the filter are cancelled too and counted', async () => {
    const p = await createProject(ts);
    const n = BULK_BATCH_SIZE + 500;
    const { roots, outside, inside } = await seed(p, n, 'READY');
    const initial = await statusOf(p);
    const sub = await watchProject(p);

    const r = (await ts.ok(CANCEL_MANY, { f: { projectId: p, assignedTo: 'bulk' }, r: 'gone', c: true })).cancelTasks;
    expect(r).toEqual({ matched: n + inside.length, changed: n + inside.length + outside.length, dryRun: false });
    const now = await statusOf(p);
    for (const id of [...roots, ...inside, ...outside]) expect(now.get(id)).toBe('CANCELLED');
    const byTask = expectChains(await drain(sub, p), initial, now);
    expect(new Set(count(byTask, [...roots, ...inside, ...outside], '*>CANCELLED'))).toEqual(new Set([1]));
    // Cascade cancels a waiting dependent directly: never BLOCKED on the way.
    expect(count(byTask, [...inside, ...outside], '*>BLOCKED').every((c) => c === 0)).toBe(true);
  }, 180_000);

  it('retryTasks: FAILED back to READY, their dependents unblocked, still-blocked ones stay; dryRun first', async () => {
    const p = await createProject(ts);
    const n = BULK_BATCH_SIZE + 700;
    const { roots, outside, inside } = await seed(p, n, 'FAILED');
    // A BLOCKED task of the filter whose blocker is CANCELLED (outside the filter): stays BLOCKED.
    const gone = await createTask(ts, { projectId: p, title: 'gone', assignedTo: 'other' });
    await ts.ok(`mutation($id: ID!) { cancelTask(id: $id, reason: "x") { id } }`, { id: gone.id });
    const [stuck] = await addDependents(p, [gone.id], 'bulk');
    await conn().execute(`update task set status = 'BLOCKED' where id = ?`, [stuck]);
    const initial = await statusOf(p);
    const before = await conn().execute(`select count(*)::int as n from task_event where project_id = ?`, [p]);
    const untouched = await digest(p);

    const filter = { projectId: p, assignedTo: 'bulk' };
    const matched = n + inside.length + 1;
    expect((await ts.ok(RETRY_MANY, { f: filter, d: true })).retryTasks).toEqual({ matched, changed: matched, dryRun: true });
    expect(await digest(p)).toBe(untouched);
    expect(await conn().execute(`select count(*)::int as n from task_event where project_id = ?`, [p])).toEqual(before);

    const sub = await watchProject(p);
    const r = (await ts.ok(RETRY_MANY, { f: filter })).retryTasks;
    // Changed: the FAILED ones, and every BLOCKED dependent they freed (inside or outside the filter).
    expect(r).toEqual({ matched, changed: n + inside.length + outside.length, dryRun: false });
    const now = await statusOf(p);
    for (const id of roots) expect(now.get(id)).toBe('READY');
    for (const id of [...inside, ...outside]) expect(now.get(id)).toBe('PENDING');
    expect(now.get(stuck!)).toBe('BLOCKED');
    const byTask = expectChains(await drain(sub, p), initial, now);
    for (const id of roots) expect(byTask.get(id)!.map((e) => `${e.previousStatus}>${e.status}`)).toEqual(['FAILED>RETRYING', 'RETRYING>READY']);
    expect(new Set(count(byTask, [...inside, ...outside], 'BLOCKED>PENDING'))).toEqual(new Set([1]));
  }, 180_000);
});

describe('a claim holding its row while a bulk cancel passes', () => {
  const CLAIM = claimStatement(false, ['id']).text;

  async function holdClaim(projectId: string) {
    // The server's claim statement in a transaction left open: its row stays locked meanwhile,
    // as during any claim (for the time of one statement).
    const trx = await conn().getKnex().transaction();
    const bindings = claimBindings({ workers: ['slow-worker'], leases: [600], tokens: [null] }, projectId, null);
    const { rows } = await trx.raw(CLAIM, bindings as never);
    return { trx, id: rows[0].id as string };
  }

  /** The bulk action's second pass is waiting for a row lock (the held claim's). */
  const bulkWaitsForLock = async () => {
    const [{ n }] = await conn().execute<{ n: number }[]>(
      `select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query like '%for update%'`,
    );
    return n > 0;
  };

  for (const outcome of ['commit', 'rollback'] as const) {
    it(`the claim's task is cancelled once, after the claim ends (${outcome})`, async () => {
      const p = await createProject(ts);
      await seed(p, 300, 'READY');
      const initial = await statusOf(p);
      const sub = await watchProject(p);
      const held = await holdClaim(p);

      const bulk = ts.ok(CANCEL_MANY, { f: { projectId: p }, r: 'stop' });
      // The first pass skips the locked row and does the rest; the second waits for the lock.
      await waitUntil(bulkWaitsForLock, 60_000, 'the bulk cancel to wait for the claimed row');
      if (outcome === 'commit') await held.trx.commit();
      else await held.trx.rollback();
      const r = (await bulk).cancelTasks;

      const matched = initial.size;
      expect(r).toEqual({ matched, changed: matched, dryRun: false });
      const now = await statusOf(p);
      expect([...now.values()].every((s) => s === 'CANCELLED')).toBe(true);
      const byTask = expectChains(await drain(sub, p), initial, now);
      const steps = byTask.get(held.id)!.map((e) => `${e.previousStatus}>${e.status}`);
      expect(steps).toEqual(outcome === 'commit' ? ['READY>RUNNING', 'RUNNING>CANCELLED'] : ['READY>CANCELLED']);
      if (outcome === 'commit') expect(errorCode(await complete(ts, held.id, 'slow-worker'))).toBe('INVALID_TRANSITION');
    }, 120_000);
  }
});
