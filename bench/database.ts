import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Pool } from 'pg';
import { startEmbeddedPostgres, EmbeddedDatabase } from '../src/persistence/embedded-postgres';
import { isReachable, withDatabase } from '../src/persistence/database-url';

export { withDatabase };
import { freePort } from './ports';
import { progress } from './report';

const LOCAL_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export interface AdminDatabase {
  /** A URL with the right to create databases. */
  adminUrl: string;
  source: 'DATABASE_URL' | 'local' | 'embedded';
  stop(): Promise<void>;
}

/** DATABASE_URL, else the machine's PostgreSQL, else an embedded one in a temporary folder. */
export async function openAdminDatabase(databaseUrl: string | undefined): Promise<AdminDatabase> {
  if (databaseUrl) {
    if (!(await isReachable(databaseUrl))) throw new Error(`DATABASE_URL ${databaseUrl} is not reachable`);
    return { adminUrl: databaseUrl, source: 'DATABASE_URL', stop: async () => {} };
  }
  if (await isReachable(LOCAL_URL)) return { adminUrl: LOCAL_URL, source: 'local', stop: async () => {} };
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sched-bench-pg-'));
  const port = await freePort();
  progress(`no PostgreSQL at 127.0.0.1:5432: starting an embedded one on port ${port}`);
  const embedded: EmbeddedDatabase = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port, database: 'postgres', persistent: false });
  return {
    adminUrl: embedded.url,
    source: 'embedded',
    async stop() {
      await embedded.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface BenchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/**
 * A fresh database per run (`sched_bench_<timestamp>_<pid>`, plus `_<suffix>` for an auxiliary
 * one); the server's migrations create the schema. Dropped at the end of the run.
 */
export async function createBenchDatabase(adminUrl: string, suffix = ''): Promise<BenchDatabase> {
  const name = `sched_bench_${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}_${process.pid}${suffix ? `_${suffix}` : ''}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  let dropped = false;
  return {
    name,
    url: withDatabase(adminUrl, name),
    async drop() {
      if (dropped) return;
      dropped = true;
      const c = new Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(`drop database if exists "${name}" with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** The bench's own connections (workers' raw SQL, seeding, checks). */
export function openPool(url: string, max: number): Pool {
  const pool = new Pool({ connectionString: url, max });
  pool.on('error', () => {}); // an idle client dropped at shutdown (drop ... with (force)) is not an error here
  return pool;
}

export async function serverVersion(pool: Pool): Promise<string> {
  const { rows } = await pool.query<{ v: string }>("select current_setting('server_version') as v");
  return rows[0]!.v;
}

/**
 * Lets the database server finish what earlier workloads left it doing before the next one is
 * measured: autovacuum workers still processing their tables (waited for, up to `maxWaitMs`),
 * then a CHECKPOINT, so dirty buffers are written now and the next workload's first writes to
 * each page do not pay full-page images of a checkpoint that started under them. Both used to
 * land in whichever workload ran next (PostgreSQL's CPU counts its background processes): the
 * 1,000-task DAG creation gave 6,805 tasks/s after the other workloads and 10,301 alone.
 * A user without the right to CHECKPOINT (a managed DATABASE_URL) skips that step.
 */
export async function settleDatabaseServer(adminUrl: string, maxWaitMs = 60_000): Promise<{ waitedMs: number; checkpoint: boolean }> {
  const started = Date.now();
  const c = new Client({ connectionString: adminUrl });
  await c.connect();
  try {
    for (;;) {
      const { rows } = await c.query<{ n: number }>("select count(*)::int as n from pg_stat_activity where backend_type = 'autovacuum worker'");
      if (rows[0]!.n === 0 || Date.now() - started > maxWaitMs) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    let checkpoint = true;
    try {
      await c.query('checkpoint');
    } catch {
      checkpoint = false;
    }
    return { waitedMs: Date.now() - started, checkpoint };
  } finally {
    await c.end();
  }
}
