import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from 'pg';
import { createTestDatabase } from '../helpers/database';
import { startTestServer, type TestServer } from '../helpers/server';
import { claim, complete, createProject, createTask, errorCode, fail, getTask } from '../helpers/fixtures';
import { behindTransactionPooler } from '../../src/persistence/sql/run';
import { recordingLogger, throughPooler } from './support/pooled';

/**
 * Issue #21: the server with DATABASE_URL at PgBouncer in transaction mode. Before the fix,
 * 161 of 200 claims and completions answered INTERNAL_SERVER_ERROR (named prepared statements
 * met server connections that had not prepared them).
 */
let ts: TestServer;
const log = recordingLogger();
beforeAll(async () => {
  const db = await createTestDatabase();
  ts = await startTestServer({ db, ownsDb: true, databaseUrl: throughPooler(db), config: { databasePooler: 'transaction' }, logger: log });
});
afterAll(async () => {
  await ts?.close();
});

async function runWorkers(server: TestServer, projectId: string, workers: number): Promise<{ done: string[]; errors: unknown[] }> {
  const done: string[] = [];
  const errors: unknown[] = [];
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      for (;;) {
        const r = await server.gql(`mutation($p: ID!, $w: String!) { claimNextTask(projectId: $p, workerId: $w) { id } }`, { p: projectId, w: `w${w}` });
        if (r.errors) {
          errors.push(r.errors);
          return;
        }
        const t = r.data.claimNextTask;
        if (!t) return;
        const c = await complete(server, t.id, `w${w}`, { by: w });
        if (c.errors) errors.push(c.errors);
        else done.push(t.id);
      }
    }),
  );
  return { done, errors };
}

describe('behind PgBouncer in transaction mode (DATABASE_POOLER=transaction)', () => {
  it('really goes through a transaction pooler: one client connection meets several server connections', async () => {
    const c = new Client({ connectionString: throughPooler(ts.db) });
    await c.connect();
    // A transaction held open elsewhere pins one server connection; this client gets another.
    const holder = new Client({ connectionString: throughPooler(ts.db) });
    await holder.connect();
    try {
      const pids = new Set<number>();
      await holder.query('begin');
      pids.add((await holder.query('select pg_backend_pid() as pid')).rows[0].pid);
      pids.add((await c.query('select pg_backend_pid() as pid')).rows[0].pid);
      await holder.query('commit');
      expect(pids.size).toBe(2);
    } finally {
      await holder.end();
      await c.end();
    }
    expect(behindTransactionPooler(ts.orm.em as never)).toBe(true);
  });

  it('200 tasks, 10 workers: every claim and completion succeeds, each task once', async () => {
    const p = await createProject(ts);
    const inputs = Array.from({ length: 200 }, (_, i) => ({ projectId: p, title: `t${i}`, priority: 1 + (i % 10) }));
    await ts.ok(`mutation($i: [CreateTaskInput!]!) { createTasks(inputs: $i) { id } }`, { i: inputs });
    const { done, errors } = await runWorkers(ts, p, 10);
    expect(errors).toEqual([]);
    expect(done).toHaveLength(200);
    expect(new Set(done).size).toBe(200);
    const left = await ts.ok(`query($p: ID!) { tasks(filter: { projectId: $p, statuses: [COMPLETED] }) { totalCount } }`, { p });
    expect(left.tasks.totalCount).toBe(200);
  }, 120_000);

  it('dependencies, failure with retry, cancel in cascade', async () => {
    const p = await createProject(ts);
    const a = await createTask(ts, { projectId: p, title: 'a' });
    const b = await createTask(ts, { projectId: p, title: 'b', dependencies: [a.id] });
    const c = await createTask(ts, { projectId: p, title: 'c', dependencies: [b.id] });
    expect([a.status, b.status, c.status]).toEqual(['READY', 'PENDING', 'PENDING']);

    expect((await claim(ts, p, 'w')).id).toBe(a.id);
    expect(errorCode(await complete(ts, a.id, 'w', { ok: 1 }))).toBeUndefined();
    expect((await getTask(ts, b.id)).status).toBe('READY');

    expect((await claim(ts, p, 'w')).id).toBe(b.id);
    const failed = await fail(ts, b.id, 'flaky', { workerId: 'w', retryable: true });
    expect(errorCode(failed)).toBeUndefined();
    expect(failed.data.failTask.status).toBe('RETRYING');
    expect(failed.data.failTask.retryCount).toBe(1);

    const cancelled = await ts.ok(`mutation($id: ID!) { cancelTask(id: $id, reason: "stop", cascade: true) { status } }`, { id: b.id });
    expect(cancelled.cancelTask.status).toBe('CANCELLED');
    expect((await getTask(ts, c.id)).status).toBe('CANCELLED');
    expect(log.lines.filter((l) => l.level === 'error')).toEqual([]);
  });

  it('says at start that, without DATABASE_DIRECT_URL, wake-ups from other instances come by polling', () => {
    expect(log.lines.some((l) => l.level === 'warn' && /DATABASE_POOLER=transaction without DATABASE_DIRECT_URL.*polling the event log/.test(l.msg))).toBe(true);
  });
});

describe('behind PgBouncer without DATABASE_POOLER (detected)', () => {
  it('the first refused named statement switches the pool to unnamed ones: no request fails', async () => {
    const detectedLog = recordingLogger();
    const other = await startTestServer({ db: ts.db, databaseUrl: throughPooler(ts.db), logger: detectedLog });
    try {
      const p = await createProject(other);
      const inputs = Array.from({ length: 100 }, (_, i) => ({ projectId: p, title: `t${i}` }));
      await other.ok(`mutation($i: [CreateTaskInput!]!) { createTasks(inputs: $i) { id } }`, { i: inputs });
      const { done, errors } = await runWorkers(other, p, 10);
      expect(errors).toEqual([]);
      expect(new Set(done).size).toBe(100);
      expect(detectedLog.lines.filter((l) => l.level === 'error')).toEqual([]);
    } finally {
      await other.close();
    }
  }, 120_000);
});
