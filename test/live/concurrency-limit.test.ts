import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH_HEADERS } from '../helpers/auth';
import { createTestDatabase, TestDatabase } from '../helpers/database';
import { startServerProcess, ServerProcess } from '../helpers/server-process';

// Two server processes on one database, so the only thing between their claims is PostgreSQL:
// the limit must hold across instances, not only within one process's coalescer.

let db: TestDatabase;
let servers: ServerProcess[] = [];
let pg: Client;
beforeAll(async () => {
  db = await createTestDatabase();
  servers = await Promise.all([startServerProcess({ databaseUrl: db.url }), startServerProcess({ databaseUrl: db.url })]);
  pg = new Client({ connectionString: db.url });
  await pg.connect();
}, 60_000);
afterAll(async () => {
  await pg?.end();
  await Promise.all(servers.map((s) => s.stop()));
  await db?.drop();
});

async function gql<T = any>(url: string, query: string, variables?: Record<string, unknown>): Promise<T> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...AUTH_HEADERS }, body: JSON.stringify({ query, variables }) });
  const body = (await res.json()) as { data?: T; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data!;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('concurrency limits across instances', () => {
  it('2 processes, 30 workers, limit 3, 500 tasks: never more than 3 RUNNING, exactly 3 at the peak, all complete', async () => {
    const LIMIT = 3;
    const TASKS = 500;
    const [a, b] = servers.map((s) => s.url) as [string, string];
    const p = (await gql(a, `mutation { createProject(input: { name: "limited" }) { id } }`)).createProject.id as string;
    const inputs = Array.from({ length: TASKS }, (_, k) => ({ projectId: p, title: `t${k}`, concurrencyKey: 'api' }));
    await gql(a, `mutation($i: [CreateTaskInput!]!) { createTasks(inputs: $i) { id } }`, { i: inputs });
    expect((await gql(b, `mutation($p: ID!) { setConcurrencyLimit(projectId: $p, key: "api", limit: ${LIMIT}) }`, { p })).setConcurrencyLimit).toBe(LIMIT);

    // Held by this test: claimed (the claim committed before its response) and not yet sent for
    // completion (so not yet completed). Every task counted here is RUNNING in the database at
    // that moment, so this is a lower bound of the true count: above the limit proves a breach.
    let held = 0;
    let maxHeld = 0;
    let completed = 0;
    let maxSampled = 0;
    let done = false;
    const sampler = (async () => {
      while (!done) {
        const { rows } = await pg.query(`select count(*)::int as n from task where project_id = $1 and status = 'RUNNING'`, [p]);
        maxSampled = Math.max(maxSampled, rows[0].n);
        await sleep(5);
      }
    })();
    const worker = async (url: string, workerId: string) => {
      while (completed < TASKS) {
        const task = (await gql(url, `mutation($p: ID!, $w: String!) { claimNextTask(projectId: $p, workerId: $w) { id } }`, { p, w: workerId })).claimNextTask;
        if (!task) {
          await sleep(40 + Math.random() * 40);
          continue;
        }
        held++;
        maxHeld = Math.max(maxHeld, held);
        await sleep(Math.random() * 4);
        held--;
        await gql(url, `mutation($id: ID!, $w: String!) { completeTask(id: $id, workerId: $w) { id } }`, { id: task.id, w: workerId });
        completed++;
      }
    };
    await Promise.all(Array.from({ length: 30 }, (_, k) => worker(k % 2 === 0 ? a : b, `w${k}`)));
    done = true;
    await sampler;

    const { rows } = await pg.query(`select status, count(*)::int as n from task where project_id = $1 group by status`, [p]);
    expect(rows).toEqual([{ status: 'COMPLETED', n: TASKS }]);
    expect(maxHeld).toBeLessThanOrEqual(LIMIT);
    expect(maxSampled).toBeLessThanOrEqual(LIMIT);
    // 30 workers against 3 places: the places were full at some point.
    expect(Math.max(maxHeld, maxSampled)).toBe(LIMIT);
  }, 240_000);
});
