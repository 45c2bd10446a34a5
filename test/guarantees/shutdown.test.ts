import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from 'pg';
import { createTestDatabase, TestDatabase } from '../helpers/database';
import { startServerProcess } from '../helpers/server-process';
import { okAt } from '../helpers/http';
import { waitUntil } from '../helpers/ws-client';

// SIGTERM: the server stops taking work and gives its database connections back. Checked from
// the database's side (pg_stat_activity), not from a log line.

let db: TestDatabase;
let pg: Client;
beforeAll(async () => {
  db = await createTestDatabase();
  pg = new Client({ connectionString: db.url });
  await pg.connect();
});
afterAll(async () => {
  await pg?.end();
  await db?.drop();
});

async function serverConnections(): Promise<number> {
  const { rows } = await pg.query(`select count(*)::int as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`);
  return rows[0].n;
}

describe('SIGTERM', () => {
  it('exits 0 and gives back every database connection it opened', async () => {
    const server = await startServerProcess({ databaseUrl: db.url });
    const { createProject } = await okAt(server.url, `mutation { createProject(input: { name: "stop" }) { id } }`);
    const p = createProject.id as string;
    // Some concurrent work, so the pool has opened several connections (and LISTEN its own).
    await Promise.all(Array.from({ length: 8 }, (_, i) => okAt(server.url, `mutation($p: ID!) { createTask(input: { projectId: $p, title: "t${i}" }) { id } }`, { p })));
    expect(await serverConnections()).toBeGreaterThan(1);

    expect(await server.stop(10_000)).toEqual({ code: 0, signal: null });
    await waitUntil(async () => (await serverConnections()) === 0, 10_000, 'the server connections to close');

    // Everything the process accepted before the signal is in the database.
    const { rows } = await pg.query(`select count(*)::int as n from task where project_id = $1`, [p]);
    expect(rows[0].n).toBe(8);
  }, 60_000);
});
