import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../helpers/database';
import { startTestServer, type TestServer } from '../helpers/server';
import { createProject } from '../helpers/fixtures';
import { throughPooler } from './support/pooled';

/** The exactly-once claim through PgBouncer (transaction mode): two instances, 40 claimers. */
let a: TestServer;
let b: TestServer;
beforeAll(async () => {
  const db = await createTestDatabase();
  const config = { databasePooler: 'transaction' as const, dbPoolSize: 20 };
  a = await startTestServer({ db, ownsDb: true, databaseUrl: throughPooler(db), config });
  b = await startTestServer({ db, databaseUrl: throughPooler(db), config });
});
afterAll(async () => {
  await b?.close();
  await a?.close();
});

describe('exactly-once claim behind PgBouncer', () => {
  it('40 claimers on two instances over 1,000 tasks: every task is claimed exactly once', async () => {
    const p = await createProject(a);
    const inputs = Array.from({ length: 1000 }, (_, i) => ({ projectId: p, title: `t${i}`, priority: 1 + (i % 10) }));
    await a.ok(`mutation($i: [CreateTaskInput!]!) { createTasks(inputs: $i) { id } }`, { i: inputs });
    const claimedBy = new Map<string, string[]>();
    const worker = async (w: number) => {
      const server = w % 2 ? b : a;
      for (;;) {
        // Single and batch claims both: the two hot statements.
        const r =
          w % 4 < 2
            ? [(await server.ok(`mutation($p: ID!, $w: String!) { claimNextTask(projectId: $p, workerId: $w) { id workerId } }`, { p, w: `w${w}` })).claimNextTask].filter(Boolean)
            : (await server.ok(`mutation($p: ID!, $w: String!) { claimTasks(projectId: $p, workerId: $w, limit: 5) { id workerId } }`, { p, w: `w${w}` })).claimTasks;
        if (r.length === 0) return;
        for (const t of r) {
          expect(t.workerId).toBe(`w${w}`);
          claimedBy.set(t.id, [...(claimedBy.get(t.id) ?? []), `w${w}`]);
        }
      }
    };
    await Promise.all(Array.from({ length: 40 }, (_, w) => worker(w)));
    expect(claimedBy.size).toBe(1000);
    expect([...claimedBy.values()].filter((ws) => ws.length > 1)).toEqual([]);
    const left = await a.ok(`query($p: ID!) { tasks(filter: { projectId: $p, statuses: [READY] }) { totalCount } }`, { p });
    expect(left.tasks.totalCount).toBe(0);
  }, 180_000);
});
