import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TestServer } from '../helpers/server';
import { claim, complete, createProject, createTask, fail } from '../helpers/fixtures';
import { scrape } from '../helpers/metrics';
import { connectClient, waitUntil } from '../helpers/ws-client';
import { AUTH_HEADERS } from '../helpers/auth';
import { codeOf, gqlAs, mintToken } from '../helpers/tokens';

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
    expect(m.get('tq_claims_total', { result: 'hit' })).toBe(2);
    expect(m.get('tq_claims_total', { result: 'empty' })).toBe(1);
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
    stop();
    await live.dispose();
    await waitUntil(async () => (await scrape(port)).get('tq_ws_connections') === 0, 10_000, 'the connection to be closed');
    m = await scrape(port);
    expect(m.get('tq_ws_subscriptions')).toBe(0);
    expect(m.get('tq_graphql_operations_total', { type: 'subscription', operation: 'Watch' })).toBe(1);
  });

  it('counts expired leases', async () => {
    const project = await createProject(ts);
    await createTask(ts, { projectId: project, title: 'abandoned', maxRetries: 1 });
    const before = (await scrape(port)).get('tq_task_leases_expired_total', { outcome: 'retry' }) ?? 0;
    await claim(ts, project, 'gone', { l: 1 });
    await waitUntil(async () => ((await scrape(port)).get('tq_task_leases_expired_total', { outcome: 'retry' }) ?? 0) === before + 1, 15_000, 'the lease to expire');
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
