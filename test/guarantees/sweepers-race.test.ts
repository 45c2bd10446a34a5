import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from 'pg';
import { createTestDatabase, TestDatabase } from '../helpers/database';
import { startServerProcess, ServerProcess } from '../helpers/server-process';
import { okAt } from '../helpers/http';
import { waitUntil } from '../helpers/ws-client';

// "The lease/retry sweeper runs on every instance without stepping on the others": two server
// processes sweeping every 50 ms over the same expired leases must charge each attempt once.

let db: TestDatabase;
let a: ServerProcess;
let b: ServerProcess;
let pg: Client;
beforeAll(async () => {
  db = await createTestDatabase();
  const env = { SWEEP_INTERVAL_MS: '50' };
  [a, b] = await Promise.all([startServerProcess({ databaseUrl: db.url, env }), startServerProcess({ databaseUrl: db.url, env })]);
  pg = new Client({ connectionString: db.url });
  await pg.connect();
});
afterAll(async () => {
  await pg?.end();
  await Promise.all([a?.stop(), b?.stop()]);
  await db?.drop();
});

describe('two sweepers on two instances', () => {
  it('charge every expired lease exactly once', async () => {
    const { createProject } = await okAt(a.url, `mutation { createProject(input: { name: "sweep" }) { id } }`);
    const p = createProject.id as string;
    const inputs = Array.from({ length: 80 }, (_, i) => ({ projectId: p, title: `t${i}`, maxRetries: 5 }));
    await okAt(a.url, `mutation($i: [CreateTaskInput!]!) { createTasks(inputs: $i) { id } }`, { i: inputs });
    const claimed = await okAt(b.url, `mutation($p: ID!) { claimTasks(projectId: $p, workerId: "gone", limit: 80, leaseSeconds: 1) { id } }`, { p });
    expect(claimed.claimTasks).toHaveLength(80);

    await waitUntil(
      async () => (await pg.query(`select count(*)::int as n from task where project_id = $1 and status = 'RUNNING'`, [p])).rows[0].n === 0,
      30_000,
      'every lease to expire',
    );
    const { rows } = await pg.query(
      `select t.retry_count, t.status, t.attempt,
              (select count(*)::int from task_event e where e.task_id = t.id and e.previous_status = 'RUNNING') as expiries
         from task t where t.project_id = $1`,
      [p],
    );
    expect(rows).toHaveLength(80);
    for (const row of rows) {
      expect(row).toMatchObject({ retry_count: 1, attempt: 1, expiries: 1 });
      expect(['RETRYING', 'READY']).toContain(row.status);
    }
  }, 90_000);
});
