import 'reflect-metadata';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import type { TestProject } from 'vitest/node' with { 'resolution-mode': 'import' };
import { openOrm } from '../../src/persistence/orm';
import { startEmbeddedPostgres, EmbeddedDatabase } from '../../src/persistence/embedded-postgres';
import { isReachable, withDatabase } from '../../src/persistence/database-url';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A URL with rights to create databases (no database part is relied upon). */
    adminUrl: string;
    /** A migrated database each test file clones (CREATE DATABASE … TEMPLATE). */
    templateDatabase: string;
  }
}

/**
 * The database for the tests: DATABASE_URL, else the machine's PostgreSQL at 127.0.0.1:5432,
 * else an embedded PostgreSQL started here (a fresh machine has none). The real migrations run
 * once into a template database; every test file clones it (graphile-worker's approach).
 */
export default async function setup(project: TestProject) {
  let embedded: EmbeddedDatabase | null = null;
  // TEST_PG_PROBE_URL moves the probe (say to a closed port), so the embedded fallback can be
  // exercised on a machine whose shared PostgreSQL must stay up for others.
  const probe = process.env.TEST_PG_PROBE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
  let adminUrl = process.env.DATABASE_URL || probe;
  if (!(await isReachable(adminUrl))) {
    if (process.env.DATABASE_URL) throw new Error(`DATABASE_URL ${process.env.DATABASE_URL} is not reachable`);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'scheduler-test-pg-'));
    const port = 55_000 + Math.floor(Math.random() * 5_000);
    const where = new URL(probe).host;
    process.stderr.write(`[tests] no PostgreSQL at ${where}: starting an embedded one on port ${port}\n`);
    embedded = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port, database: 'postgres', persistent: false });
    adminUrl = embedded.url;
  }
  const template = `sched_tpl_${process.pid}_${Date.now().toString(36)}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database "${template}"`);
  const orm = await openOrm({ clientUrl: withDatabase(adminUrl, template), poolSize: 2 });
  await orm.close();
  project.provide('adminUrl', adminUrl);
  project.provide('templateDatabase', template);

  return async () => {
    const prefix = `sched_t_${process.pid}_`;
    const { rows } = await admin.query<{ datname: string }>('select datname from pg_database where datname like $1', [`${prefix}%`]);
    for (const r of rows) await admin.query(`drop database if exists "${r.datname}" with (force)`).catch(() => {});
    await admin.query(`drop database if exists "${template}" with (force)`);
    await admin.end();
    await embedded?.stop();
  };
}
