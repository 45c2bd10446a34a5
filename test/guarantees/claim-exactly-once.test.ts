import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from 'pg';
import { createTestDatabase, TestDatabase } from '../helpers/database';
import { startServerProcess, ServerProcess } from '../helpers/server-process';
import { okAt } from '../helpers/http';

// The README's promise: "concurrent claimers on any instance never get the same task". Group
// commit serialises the claims of one queue inside one instance, so the race is set up where it
// really happens: two server processes on one database, and within each, claimers that select
// different fields (their claims go to different coalescer queues, so several claim statements
// run at once in one instance too). With `for update skip locked` removed the statements either
// hand one row to two claimers or come back empty while rows are left: both fail this test
// (scripts/prove-tests-bite.sh shows it).

let db: TestDatabase;
let a: ServerProcess;
let b: ServerProcess;
beforeAll(async () => {
  db = await createTestDatabase();
  [a, b] = await Promise.all([startServerProcess({ databaseUrl: db.url }), startServerProcess({ databaseUrl: db.url })]);
});
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await db?.drop();
});

const SELECTIONS = ['id workerId', 'id workerId status', 'id workerId priority', 'id workerId title'];

describe('claims racing across two server processes', () => {
  it('1,500 tasks, 24 claimers on two instances with four selections: every task claimed exactly once, none left', async () => {
    const { createProject } = await okAt(a.url, `mutation { createProject(input: { name: "race" }) { id } }`);
    const p = createProject.id as string;
    for (let batch = 0; batch < 3; batch++) {
      const inputs = Array.from({ length: 500 }, (_, i) => ({ projectId: p, title: `t${batch * 500 + i}`, priority: 1 + (i % 10) }));
      await okAt(a.url, `mutation($i: [CreateTaskInput!]!) { createTasks(inputs: $i) { id } }`, { i: inputs });
    }
    // Leases of an hour: on a loaded machine the run can outlast the default 30 s lease, and an
    // expired lease rightly hands the task out again.
    const claims = new Map<string, string[]>();
    let requestsInFlight = 0;
    let maxInFlight = 0;
    const claimer = async (n: number) => {
      const url = n % 2 === 0 ? a.url : b.url;
      const selection = SELECTIONS[Math.floor(n / 2) % SELECTIONS.length];
      for (;;) {
        requestsInFlight++;
        maxInFlight = Math.max(maxInFlight, requestsInFlight);
        const r = await okAt(url, `mutation($p: ID!, $w: String!) { claimNextTask(projectId: $p, workerId: $w, leaseSeconds: 3600) { ${selection} } }`, { p, w: `w${n}` });
        requestsInFlight--;
        const t = r.claimNextTask;
        if (!t) return;
        expect(t.workerId).toBe(`w${n}`);
        claims.set(t.id, [...(claims.get(t.id) ?? []), `w${n}`]);
      }
    };
    await Promise.all(Array.from({ length: 24 }, (_, n) => claimer(n)));
    expect([...claims.entries()].filter(([, ws]) => ws.length > 1)).toEqual([]);
    expect(claims.size).toBe(1500);
    expect(maxInFlight).toBeGreaterThan(2);
    // Both instances ran claim statements (so they raced each other on the same rows).
    for (const server of [a, b]) {
      const health = (await (await fetch(server.url.replace(/\/graphql$/, '/healthz'))).json()) as { claims: { statements: number } };
      expect(health.claims.statements).toBeGreaterThan(10);
    }

    // The database agrees: every row RUNNING, each with one claim event and attempt 1.
    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    try {
      const { rows } = await pg.query(
        `select count(*)::int as n,
                count(*) filter (where status = 'RUNNING')::int as running,
                count(*) filter (where attempt = 1)::int as first_attempts,
                (select count(*)::int from task_event e where e.project_id = $1 and e.status = 'RUNNING') as claim_events
           from task where project_id = $1`,
        [p],
      );
      expect(rows[0]).toEqual({ n: 1500, running: 1500, first_attempts: 1500, claim_events: 1500 });
    } finally {
      await pg.end();
    }
  }, 180_000);

  it('a claim skips a row another transaction holds locked and takes the next one at once', async () => {
    const { createProject } = await okAt(a.url, `mutation { createProject(input: { name: "locked-head" }) { id } }`);
    const p = createProject.id as string;
    const { createTasks } = await okAt(a.url, `mutation($i: [CreateTaskInput!]!) { createTasks(inputs: $i) { id } }`, {
      i: [{ projectId: p, title: 'head', priority: 9 }, { projectId: p, title: 'next', priority: 5 }],
    });
    const [head, next] = createTasks as { id: string }[];
    const holder = new Client({ connectionString: db.url });
    await holder.connect();
    try {
      await holder.query('begin');
      await holder.query(`select id from task where id = $1 for update`, [head.id]);
      // Blocking on the lock (a claim without SKIP LOCKED) would wait until the holder commits.
      const claimed = await Promise.race([
        okAt(b.url, `mutation($p: ID!) { claimNextTask(projectId: $p, workerId: "w") { id } }`, { p }),
        new Promise((resolve) => setTimeout(() => resolve('blocked'), 10_000)),
      ]);
      expect(claimed).toEqual({ claimNextTask: { id: next.id } });
    } finally {
      await holder.query('rollback');
      await holder.end();
    }
  }, 60_000);
});
