import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TestServer } from '../helpers/server';
import { claim, complete, createProject, createTask, fail } from '../helpers/fixtures';
import { scrape } from '../helpers/metrics';
import { connectClient, waitUntil } from '../helpers/ws-client';
import { AUTH_HEADERS } from '../helpers/auth';
import { codeOf, gqlAs, mintToken } from '../helpers/tokens';
import { db } from '../helpers/time';

let ts: TestServer;
let port: number;

beforeAll(async () => {
  ts = await startTestServer();
  port = ts.server.metricsPort!;
});
afterAll(async () => ts?.close());

describe('GET /metrics', () => {
  it('counts a known workload by project and reads the task gauges from the database', async () => {
    const project = await createProject(ts);
    const other = await createProject(ts);
    // Claims are counted per instance, not per project: other tests of this file (in any order) claim too.
    const before = await scrape(port);
    const claims = (result: string, m: typeof before) => m.get('tq_claims_total', { result }) ?? 0;
    const [a, b, c] = [await createTask(ts, { projectId: project, title: 'a', priority: 9 }), await createTask(ts, { projectId: project, title: 'b', priority: 8 }), await createTask(ts, { projectId: project, title: 'c', priority: 1 })];
    await createTask(ts, { projectId: other, title: 'elsewhere' });
    expect((await claim(ts, project, 'w1')).id).toBe(a.id);
    expect((await claim(ts, project, 'w2')).id).toBe(b.id);
    expect((await complete(ts, a.id, 'w1', { ok: true })).errors).toBeUndefined();
    expect((await fail(ts, b.id, 'flaky network', { workerId: 'w2', retryable: true })).errors).toBeUndefined();
    await ts.ok(`mutation($id: ID!) { cancelTask(id: $id, reason: "not needed") { id } }`, { id: c.id });
    // An empty claim on the other queue: counted as such, not as a claimed task.
    await ts.ok(`mutation($p: ID!) { claimNextTask(projectId: $p, workerId: "w3", assignedTo: "nobody") { id } }`, { p: other });

    const m = await scrape(port);
    const p = { project };
    expect(m.get('tq_tasks_created_total', p)).toBe(3);
    expect(m.get('tq_tasks_created_total', { project: other })).toBe(1);
    expect(m.get('tq_tasks_claimed_total', p)).toBe(2);
    expect(m.get('tq_tasks_completed_total', p)).toBe(1);
    expect(m.get('tq_tasks_retried_total', p)).toBe(1);
    expect(m.get('tq_tasks_failed_total', p)).toBeUndefined();
    expect(m.get('tq_tasks_cancelled_total', p)).toBe(1);
    expect(claims('hit', m) - claims('hit', before)).toBe(2);
    expect(claims('empty', m) - claims('empty', before)).toBe(1);
    expect(m.get('tq_task_run_duration_seconds_count', { project, outcome: 'completed' })).toBe(1);
    expect(m.get('tq_task_run_duration_seconds_count', { project, outcome: 'failed' })).toBe(1);
    expect(m.get('tq_task_queue_wait_seconds_count', p)).toBe(2);

    // Database-derived: every status of the project, zeros included.
    expect(m.get('tq_tasks', { project, status: 'COMPLETED' })).toBe(1);
    expect(m.get('tq_tasks', { project, status: 'RETRYING' })).toBe(1);
    expect(m.get('tq_tasks', { project, status: 'CANCELLED' })).toBe(1);
    expect(m.get('tq_tasks', { project, status: 'READY' })).toBe(0);
    expect(m.get('tq_tasks', { project: other, status: 'READY' })).toBe(1);
    expect(m.get('tq_oldest_ready_task_age_seconds', p)).toBe(0);
    expect(m.get('tq_oldest_ready_task_age_seconds', { project: other })).toBeGreaterThanOrEqual(0);
    expect(m.get('tq_active_workers', p)).toBe(0);

    // GraphQL operations by name and result; no task id anywhere in a label.
    expect(m.get('tq_graphql_operations_total', { type: 'mutation', operation: 'anonymous', result: 'ok' })).toBeGreaterThanOrEqual(9);
    for (const id of [a.id, b.id, c.id]) expect(m.text).not.toContain(id);
    // Default process metrics.
    expect(m.get('tq_process_cpu_seconds_total')).toBeGreaterThan(0);
  });

  it('counts operations by name, refusals by reason, and slow operations by duration', async () => {
    const project = await createProject(ts);
    const post = (body: unknown) =>
      fetch(ts.url, { method: 'POST', headers: { 'content-type': 'application/json', ...AUTH_HEADERS }, body: JSON.stringify(body) }).then((r) => r.json());
    await post({ query: 'query Projects { projects { id } }', operationName: 'Projects' });
    await post({ query: 'query Projects { projects { id } }', operationName: 'Projects' });
    await post({ query: 'query { nope }' });
    await post({ query: 'query { projects { ' });
    await post({ query: 'mutation Bad($id: ID!) { cancelTask(id: $id, reason: "x") { id } }', variables: { id: '00000000-0000-0000-0000-000000000000' }, operationName: 'Bad' });
    const m = await scrape(port);
    expect(m.get('tq_graphql_operations_total', { type: 'query', operation: 'Projects', result: 'ok' })).toBe(2);
    expect(m.get('tq_graphql_operation_duration_seconds_count', { type: 'query', operation: 'Projects' })).toBe(2);
    expect(m.get('tq_graphql_refused_total', { reason: 'validation' })).toBe(1);
    expect(m.get('tq_graphql_refused_total', { reason: 'parse' })).toBe(1);
    expect(m.get('tq_graphql_operations_total', { type: 'mutation', operation: 'Bad', result: 'error' })).toBe(1);
    void project;
  });

  it('counts refused credentials by reason, and FORBIDDEN and too-complex operations as refusals', async () => {
    const project = await createProject(ts);
    const viewer = await mintToken(ts, { role: 'VIEWER', projectId: project });
    expect(codeOf(await gqlAs(ts.url, null, '{ projects { id } }'))).toBe('UNAUTHENTICATED');
    expect(codeOf(await gqlAs(ts.url, 'not-a-token', '{ projects { id } }'))).toBe('UNAUTHENTICATED');
    const forbidden = await gqlAs(ts.url, viewer.token, 'mutation($p: ID!) { createTask(input: { projectId: $p, title: "x" }) { id } }', { p: project });
    expect(codeOf(forbidden)).toBe('FORBIDDEN');
    const aliased = `{ ${Array.from({ length: 40 }, (_, i) => `a${i}: viewer { role }`).join(' ')} }`;
    expect(codeOf(await gqlAs(ts.url, viewer.token, aliased))).toBe('QUERY_TOO_COMPLEX');
    const m = await scrape(port);
    expect(m.get('tq_auth_failures_total', { reason: 'missing' })).toBe(1);
    expect(m.get('tq_auth_failures_total', { reason: 'malformed' })).toBe(1);
    expect(m.get('tq_auth_failures_total', { reason: 'forbidden' })).toBe(1);
    expect(m.get('tq_graphql_refused_total', { reason: 'forbidden' })).toBe(1);
    expect(m.get('tq_graphql_refused_total', { reason: 'aliases' })).toBe(1);
  });

  it('reports WebSocket connections and their operations, and the LISTEN connection', async () => {
    const project = await createProject(ts);
    const live = await connectClient(ts.wsUrl);
    const events: unknown[] = [];
    const stop = live.client.subscribe(
      { query: `subscription Watch($p: ID!) { taskStatusChanged(projectId: $p) { taskId status } }`, variables: { p: project }, operationName: 'Watch' },
      { next: (e) => void events.push(e), error: () => {}, complete: () => {} },
    );
    await waitUntil(async () => (await scrape(port)).get('tq_ws_subscriptions') === 1, 10_000, 'the subscription to be counted');
    let m = await scrape(port);
    expect(m.get('tq_ws_connections')).toBe(1);
    expect(m.get('tq_pg_listen_up')).toBe(1);
    // An event delivered to the subscriber was measured for lag.
    const before = m.get('tq_event_lag_seconds_count') ?? 0;
    await createTask(ts, { projectId: project, title: 'seen live' });
    await waitUntil(() => events.length > 0, 10_000, 'the event');
    m = await scrape(port);
    expect(m.get('tq_event_lag_seconds_count')).toBeGreaterThan(before);
    // The pump's read that found it was counted, by outcome.
    const reads = ['done', 'full', 'pending'].reduce((n, outcome) => n + (m.get('tq_event_log_reads_total', { outcome }) ?? 0), 0);
    expect(reads).toBeGreaterThan(0);
    expect(m.get('tq_event_log_reads_total', { outcome: 'done' })).toBeGreaterThan(0);
    stop();
    await live.dispose();
    await waitUntil(async () => (await scrape(port)).get('tq_ws_connections') === 0, 10_000, 'the connection to be closed');
    m = await scrape(port);
    expect(m.get('tq_ws_subscriptions')).toBe(0);
    expect(m.get('tq_graphql_operations_total', { type: 'subscription', operation: 'Watch' })).toBe(1);
  });

  it('counts every other way a task is created, cancelled, retried or released, by its project', async () => {
    const ids = (tasks: { id: string }[]) => tasks.map((t) => t.id);
    const create = async (p: string, input: Record<string, unknown> = {}) => (await createTask(ts, { projectId: p, title: 't', ...input })).id as string;

    // Batches, an idempotent repeat (no new task), batch claims and completions, releases.
    const batch = await createProject(ts);
    const four = Array.from({ length: 4 }, (_, i) => ({ projectId: batch, title: `b${i}` }));
    await ts.ok(`mutation($i: [CreateTaskInput!]!) { createTasks(inputs: $i) { id } }`, { i: four });
    const keyed = await create(batch, { idempotencyKey: 'once' });
    expect(await create(batch, { idempotencyKey: 'once' })).toBe(keyed);
    const claimed = (await ts.ok(`mutation($p: ID!) { claimTasks(projectId: $p, workerId: "w", limit: 4) { id } }`, { p: batch })).claimTasks;
    expect(claimed).toHaveLength(4);
    const [c1, c2, c3, c4] = ids(claimed);
    await ts.ok(`mutation($i: [CompleteTaskInput!]!) { completeTasks(inputs: $i) { id } }`, { i: [{ id: c1, workerId: 'w' }, { id: c2, workerId: 'w' }] });
    await ts.ok(`mutation($id: ID!) { releaseTask(id: $id, workerId: "w") { id } }`, { id: c3 });
    await ts.ok(`mutation($i: [ReleaseInput!]!) { releaseTasks(inputs: $i) { id } }`, { i: [{ id: c4, workerId: 'w' }] });

    // decomposeTask's subtasks (four, see test/graphql/decompose.test.ts) and a schedule's tasks.
    const decomposed = await createProject(ts);
    const big = await create(decomposed, {
      title: 'Implement distributed authentication',
      description: ['1. Design the token format', '2. Build the login endpoint', '3. Store sessions in Redis', '4. Rotate signing keys', '5. Write tests', '6. Document the flow'].join('\n'),
    });
    expect((await ts.ok(`mutation($id: ID!) { decomposeTask(id: $id) { id } }`, { id: big })).decomposeTask).toHaveLength(4);
    const scheduled = await createProject(ts);
    const schedule = (await ts.ok(`mutation($i: UpsertScheduleInput!) { upsertSchedule(input: $i) { id } }`, { i: { projectId: scheduled, name: 'hourly', cron: '0 * * * *', task: { title: 'tick' } } }))
      .upsertSchedule.id;
    // A tick long due (as after downtime): the sweeper fires it (catchUp LATEST: one task).
    await db(ts, `update schedule set next_run_at = date_trunc('hour', now()) - interval '2 hours' where id = ?`, [schedule]);
    ts.server.sweeper.wakeAt(new Date());
    await waitUntil(async () => (await scrape(port)).get('tq_tasks_created_total', { project: scheduled }) === 1, 10_000, 'the tick to be counted');
    await ts.ok(`mutation($id: ID!) { triggerSchedule(id: $id) { id } }`, { id: schedule });

    // Cancels: a cascade counts every task it cancelled; without one, dependents are BLOCKED, not cancelled.
    const cancels = await createProject(ts);
    const a = await create(cancels);
    const b = await create(cancels, { dependencies: [a] });
    await create(cancels, { dependencies: [b] });
    const e = await create(cancels);
    await create(cancels, { dependencies: [e] });
    await ts.ok(`mutation($id: ID!) { cancelTask(id: $id, reason: "r", cascade: true) { id } }`, { id: a });
    await ts.ok(`mutation($id: ID!) { cancelTask(id: $id, reason: "r") { id } }`, { id: e });

    // Bulk cancel: a dry run counts nothing; the real one its tasks and the dependents it cascaded to.
    const bulk = await createProject(ts);
    const x1 = await create(bulk);
    await create(bulk);
    await create(bulk);
    await create(bulk, { dependencies: [x1] });
    const CANCEL_MANY = `mutation($f: TaskFilter!, $d: Boolean) { cancelTasks(filter: $f, reason: "r", cascade: true, dryRun: $d) { changed } }`;
    expect((await ts.ok(CANCEL_MANY, { f: { projectId: bulk, statuses: ['READY'] }, d: true })).cancelTasks.changed).toBe(3);
    expect((await ts.ok(CANCEL_MANY, { f: { projectId: bulk, statuses: ['READY'] } })).cancelTasks.changed).toBe(4);

    // Failures and retries by hand: a FAILED task sent back is a retry, a dependent unblocked is not.
    const retries = await createProject(ts);
    const failNow = async (id: string) => {
      expect((await claim(ts, retries, 'w')).id).toBe(id);
      expect((await fail(ts, id, 'broken', { workerId: 'w', retryable: false })).errors).toBeUndefined();
    };
    const t1 = await create(retries, { maxRetries: 0 });
    await create(retries, { dependencies: [t1] });
    await failNow(t1);
    await ts.ok(`mutation($id: ID!) { retryTask(id: $id) { id } }`, { id: t1 });
    // Claimed before t1 (READY again): priority 10.
    const t2 = await create(retries, { maxRetries: 0, priority: 10 });
    const t3 = await create(retries, { maxRetries: 0, priority: 10 });
    await create(retries, { dependencies: [t2] });
    await failNow(t2);
    await failNow(t3);
    const RETRY_MANY = `mutation($f: TaskFilter!, $d: Boolean) { retryTasks(filter: $f, dryRun: $d) { changed } }`;
    expect((await ts.ok(RETRY_MANY, { f: { projectId: retries }, d: true })).retryTasks.changed).toBe(3);
    // t2 and t3 sent back, and t2's dependent unblocked with t2.
    expect((await ts.ok(RETRY_MANY, { f: { projectId: retries } })).retryTasks.changed).toBe(3);

    const m = await scrape(port);
    const count = (name: string, project: string) => m.get(name, { project }) ?? 0;
    expect(count('tq_tasks_created_total', batch)).toBe(5);
    expect(count('tq_tasks_claimed_total', batch)).toBe(4);
    expect(count('tq_tasks_completed_total', batch)).toBe(2);
    expect(count('tq_tasks_released_total', batch)).toBe(2);
    expect(count('tq_tasks_created_total', decomposed)).toBe(5);
    expect(count('tq_tasks_created_total', scheduled)).toBe(2);
    expect(count('tq_tasks_created_total', cancels)).toBe(5);
    expect(count('tq_tasks_cancelled_total', cancels)).toBe(4);
    expect(count('tq_tasks_cancelled_total', bulk)).toBe(4);
    expect(count('tq_tasks_failed_total', retries)).toBe(3);
    expect(count('tq_tasks_retried_total', retries)).toBe(3);
    // Each change in exactly one status counter: nothing else moved.
    for (const p of [decomposed, scheduled, cancels, bulk]) expect(count('tq_tasks_retried_total', p) + count('tq_tasks_failed_total', p) + count('tq_tasks_released_total', p)).toBe(0);
    expect(count('tq_tasks_cancelled_total', retries)).toBe(0);
  });

  it('counts attempts the sweeper ended (expired leases, timeouts) as retried or failed, and why', async () => {
    const leases = await createProject(ts);
    await createTask(ts, { projectId: leases, title: 'abandoned, retried', maxRetries: 1 });
    await createTask(ts, { projectId: leases, title: 'abandoned, failed', maxRetries: 0 });
    await ts.ok(`mutation($p: ID!) { claimTasks(projectId: $p, workerId: "gone", limit: 2, leaseSeconds: 1) { id } }`, { p: leases });
    const timeouts = await createProject(ts);
    await createTask(ts, { projectId: timeouts, title: 'slow, retried', maxRetries: 1, timeoutSeconds: 1 });
    await createTask(ts, { projectId: timeouts, title: 'slow, failed', maxRetries: 0, timeoutSeconds: 1 });
    await ts.ok(`mutation($p: ID!) { claimTasks(projectId: $p, workerId: "slow", limit: 2, leaseSeconds: 300) { id } }`, { p: timeouts });

    await waitUntil(
      async () => {
        const m = await scrape(port);
        return m.get('tq_task_leases_expired_total', { project: leases }) === 2 && m.get('tq_task_timeouts_total', { project: timeouts }) === 2;
      },
      15_000,
      'both leases to expire and both attempts to time out',
    );
    const m = await scrape(port);
    for (const [project, name] of [[leases, 'tq_task_leases_expired_total'], [timeouts, 'tq_task_timeouts_total']] as const) {
      expect(m.get(name, { project, outcome: 'retry' })).toBe(1);
      expect(m.get(name, { project, outcome: 'failed' })).toBe(1);
      expect(m.get('tq_tasks_retried_total', { project })).toBe(1);
      expect(m.get('tq_tasks_failed_total', { project })).toBe(1);
    }
    // A lease ending is not a timeout, nor the other way round.
    expect(m.get('tq_task_timeouts_total', { project: leases })).toBeUndefined();
    expect(m.get('tq_task_leases_expired_total', { project: timeouts })).toBeUndefined();
  });

  it('is not served when METRICS_PORT is off, and answers 404 elsewhere', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/other`);
    expect(res.status).toBe(404);
    const off = await startTestServer({ db: ts.db, config: { metricsPort: null } });
    try {
      expect(off.server.metricsPort).toBeNull();
    } finally {
      await off.close();
    }
  });
});
