import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { startEmbeddedPostgres, EmbeddedDatabase } from '../../src/persistence/embedded-postgres';
import { openOrm } from '../../src/persistence/orm';
import { startServer } from '../../src/server';
import { startTestServer, TestServer } from '../helpers/server';
import { startServerProcess } from '../helpers/server-process';
import { waitUntil } from '../helpers/ws-client';
import { AUTH_HEADERS } from '../helpers/auth';
import { withDatabase } from '../../src/persistence/database-url';

const probe = async (base: string, route: string) => {
  const res = await fetch(base.replace(/\/graphql$/, route));
  return { status: res.status, body: (await res.json()) as { status: string; failing?: string[]; checks?: Record<string, { ok: boolean; detail?: string }> } };
};

describe('GET /livez and /readyz', () => {
  let ts: TestServer;
  beforeAll(async () => {
    ts = await startTestServer();
  });
  afterAll(async () => ts?.close());

  it('are 200 with every check listed when all is well; /healthz stays', async () => {
    expect(await probe(ts.url, '/livez')).toEqual({ status: 200, body: { status: 'ok' } });
    const ready = await probe(ts.url, '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.failing).toEqual([]);
    expect(Object.keys(ready.body.checks!).sort()).toEqual(['database', 'listen', 'migrations', 'shutdown']);
    expect((await fetch(ts.url.replace(/\/graphql$/, '/healthz'))).status).toBe(200);
  });

  it('readiness fails while the LISTEN connection is down, and recovers when it is back', async () => {
    // New connections are refused while the flag is off, so the listener cannot reconnect
    // until the test allows it: the 503 is observed, not raced.
    const admin = new Client({ connectionString: withDatabase(ts.db.url, 'postgres') });
    await admin.connect();
    try {
      await admin.query(`alter database "${ts.db.name}" allow_connections false`);
      const listenerPid = (ts.server.notifier as unknown as { listener: { processID: number } }).listener.processID;
      await admin.query('select pg_terminate_backend($1)', [listenerPid]);
      await waitUntil(async () => (await probe(ts.url, '/readyz')).body.failing?.includes('listen') ?? false, 10_000, 'readiness to report the LISTEN connection down');
      const down = await probe(ts.url, '/readyz');
      expect(down.status).toBe(503);
      expect(down.body.checks!.listen!.ok).toBe(false);
      expect((await probe(ts.url, '/livez')).status).toBe(200);
    } finally {
      await admin.query(`alter database "${ts.db.name}" allow_connections true`);
      await admin.end();
    }
    await waitUntil(async () => (await probe(ts.url, '/readyz')).status === 200, 15_000, 'readiness after the listener reconnects');
  });

  it('counts an instance without LISTEN (behind a transaction pooler, no direct URL) as ready: it polls', async () => {
    const pooled = await startTestServer({ db: ts.db, config: { databasePooler: 'transaction' }, directUrl: null });
    try {
      const ready = await probe(pooled.url, '/readyz');
      expect(ready.status).toBe(200);
      expect(ready.body.checks!.listen).toEqual({ ok: true, detail: 'no LISTEN connection configured: the event log is polled' });
    } finally {
      await pooled.close();
    }
  });
});

describe('readiness with the database down', () => {
  let dir: string;
  let port: number;
  let pg: EmbeddedDatabase | null = null;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'readyz-pg-'));
    port = await freePort();
    pg = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port, database: 'scheduler', persistent: true });
  }, 120_000);
  afterAll(async () => {
    await pg?.stop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 503 naming the database within about a second, keeps /livez at 200, and is ready again when it is back', async () => {
    const orm = await openOrm({ clientUrl: pg!.url, poolSize: 4 });
    const config = { ...loadConfig({}), port: 0, host: '127.0.0.1', logLevel: 'silent' as const, metricsPort: null };
    const server = await startServer({ config, orm, databaseUrl: pg!.url, logger: createLogger('silent') });
    const base = server.url;
    try {
      expect((await probe(base, '/readyz')).status).toBe(200);
      await pg!.stop();
      pg = null;
      const started = Date.now();
      const down = await probe(base, '/readyz');
      expect(down.status).toBe(503);
      expect(down.body.failing).toContain('database');
      expect(down.body.checks!.database!.detail).toMatch(/database unreachable/);
      // The check is bounded by its 1 s timeout (plus a loaded machine's slack).
      expect(Date.now() - started).toBeLessThan(5_000);
      expect((await probe(base, '/livez')).status).toBe(200);

      pg = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port, database: 'scheduler', persistent: true });
      await waitUntil(async () => (await probe(base, '/readyz')).status === 200, 30_000, 'readiness once the database is back');
    } finally {
      await server.close();
      await orm.close();
    }
  }, 120_000);
});

describe('SIGTERM', () => {
  let ts: TestServer;
  beforeAll(async () => {
    ts = await startTestServer();
  });
  afterAll(async () => ts?.close());

  it('fails readiness first while requests are still served, then drains and exits 0', async () => {
    const proc = await startServerProcess({ databaseUrl: ts.db.url, env: { SHUTDOWN_DELAY_MS: '3000' } });
    expect((await probe(proc.url, '/readyz')).status).toBe(200);
    proc.child.kill('SIGTERM');
    await waitUntil(async () => (await probe(proc.url, '/readyz')).status === 503, 3_000, 'readiness to fail after SIGTERM');
    const draining = await probe(proc.url, '/readyz');
    expect(draining.body.failing).toEqual(['shutdown']);
    // Still serving while load balancers take it out of rotation.
    expect((await probe(proc.url, '/livez')).status).toBe(200);
    const res = await fetch(proc.url, { method: 'POST', headers: { 'content-type': 'application/json', ...AUTH_HEADERS }, body: JSON.stringify({ query: '{ projects { id } }' }) });
    expect(res.status).toBe(200);
    expect(await proc.exited).toEqual({ code: 0, signal: null });
  }, 60_000);
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}
