import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';
import { AUTH_HEADERS } from '../helpers/auth';
import { Client } from 'pg';
import { throughPooler } from './support/pooled';

/**
 * The real entry point behind PgBouncer, on an empty database (the template's clone, emptied):
 * it migrates over DATABASE_DIRECT_URL when given, else through the pooler, and says at start
 * how cross-instance wake-ups will come.
 */
let proc: ServerProcess | null = null;
let db: TestDatabase | null = null;
afterEach(async () => {
  await proc?.stop();
  proc = null;
  await db?.drop();
  db = null;
});

async function emptyDatabase(): Promise<TestDatabase> {
  const d = await createTestDatabase();
  const c = new Client({ connectionString: d.url });
  await c.connect();
  await c.query('drop schema public cascade; create schema public');
  await c.end();
  return d;
}

async function createsAProject(url: string): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...AUTH_HEADERS },
    body: JSON.stringify({ query: 'mutation { createProject(input: { name: "pooled" }) { id name } }' }),
  });
  const body = (await res.json()) as { data?: { createProject: { name: string } }; errors?: unknown };
  expect(body.errors).toBeUndefined();
  expect(body.data?.createProject.name).toBe('pooled');
}

describe('the server process behind PgBouncer', () => {
  it('DATABASE_DIRECT_URL: migrates and listens on it, with no polling notice', async () => {
    db = await emptyDatabase();
    proc = await startServerProcess({ databaseUrl: throughPooler(db), env: { DATABASE_DIRECT_URL: db.url } });
    await createsAProject(proc.url);
    expect(proc.stderr()).not.toMatch(/polling the event log/);
    expect(proc.stderr()).not.toMatch(/"level":"error"/);
  });

  it('DATABASE_POOLER=transaction alone: migrates through the pooler and says wake-ups come by polling', async () => {
    db = await emptyDatabase();
    proc = await startServerProcess({ databaseUrl: throughPooler(db), env: { DATABASE_POOLER: 'transaction' } });
    await createsAProject(proc.url);
    expect(proc.stderr()).toMatch(/"level":"warn","msg":"DATABASE_POOLER=transaction without DATABASE_DIRECT_URL[^"]*polling the event log every 250 ms/);
    expect(proc.stderr()).not.toMatch(/"level":"error"/);
  });
});
