import type { MikroORM } from '@mikro-orm/postgresql';
import { loadConfig, AppConfig } from '../../src/config';
import { createLogger, type Logger } from '../../src/logger';
import { openOrm } from '../../src/persistence/orm';
import { startServer, RunningServer } from '../../src/server';
import { createTestDatabase, TestDatabase } from './database';
import { AUTH_HEADERS, TEST_ADMIN_TOKEN } from './auth';

export interface TestServer {
  server: RunningServer;
  orm: MikroORM;
  db: TestDatabase;
  url: string;
  wsUrl: string;
  gql<T = any>(query: string, variables?: Record<string, unknown>): Promise<{ data?: T; errors?: any[] }>;
  /** Like gql but throws on errors and returns data. */
  ok<T = any>(query: string, variables?: Record<string, unknown>): Promise<T>;
  close(): Promise<void>;
}

/**
 * The real server (Apollo + graphql-ws + sweeper + event stream) on a random port over its own
 * database. Pass `db` to start a second instance on the same database.
 */
export async function startTestServer(
  options: {
    db?: TestDatabase;
    config?: Partial<AppConfig>;
    ownsDb?: boolean;
    /** Reach `db` through this URL instead of db.url (a pooler: test/pooler). */
    databaseUrl?: string;
    directUrl?: string | null;
    logger?: Logger;
  } = {},
): Promise<TestServer> {
  const db = options.db ?? (await createTestDatabase());
  const ownsDb = options.ownsDb ?? !options.db;
  // metricsPort 0: each server's /metrics on a free port (the default 9464 would collide across test files).
  const config: AppConfig = { ...loadConfig({}), port: 0, host: '127.0.0.1', logLevel: 'error', sweepIntervalMs: 200, metricsPort: 0, adminToken: TEST_ADMIN_TOKEN, ...options.config };
  const databaseUrl = options.databaseUrl ?? db.url;
  const orm = await openOrm({ clientUrl: databaseUrl, poolSize: config.dbPoolSize, migrate: false, genericPlans: config.databasePooler !== 'transaction' });
  const server = await startServer({ config, orm, databaseUrl, directUrl: options.directUrl, logger: options.logger ?? createLogger(config.logLevel) });
  const url = `http://127.0.0.1:${server.port}/graphql`;
  const gql = async (query: string, variables?: Record<string, unknown>) => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...AUTH_HEADERS }, body: JSON.stringify({ query, variables }) });
    return (await res.json()) as { data?: any; errors?: any[] };
  };
  return {
    server,
    orm,
    db,
    url,
    wsUrl: url.replace(/^http/, 'ws'),
    gql,
    async ok(query, variables) {
      const r = await gql(query, variables);
      if (r.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(r.errors)}`);
      return r.data;
    },
    async close() {
      await server.close();
      await orm.close();
      if (ownsDb) await db.drop();
    },
  };
}
