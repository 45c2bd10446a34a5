import './production-default';
import 'reflect-metadata';
// First: tracing (when configured) must patch http, graphql and pg before they load.
import { tracing } from './observability/tracing-bootstrap';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig } from './config';
import { createLogger } from './logger';
import { openOrm } from './persistence/orm';
import { startEmbeddedPostgres, EmbeddedDatabase } from './persistence/embedded-postgres';
import { startServer } from './server';
import { parseComplexityConfigText, ComplexityWeights } from './domain/complexity';
import { DomainError } from './domain/errors';
import { adminTokenBanner, ensureAdminToken } from './auth/first-start';
import type { EntityManager } from '@mikro-orm/postgresql';

/** Process entry: config -> database -> migrations -> server -> listen; graceful stop on signals. */
async function main(): Promise<void> {
  let config;
  let complexityWeights: ComplexityWeights | undefined;
  try {
    config = loadConfig();
    if (config.complexityConfigPath) {
      let text: string;
      try {
        text = readFileSync(config.complexityConfigPath, 'utf8');
      } catch (e) {
        throw new ConfigError(`COMPLEXITY_CONFIG: cannot read ${config.complexityConfigPath}: ${(e as Error).message}`);
      }
      complexityWeights = parseComplexityConfigText(text, config.complexityConfigPath);
    }
  } catch (e) {
    if (e instanceof ConfigError || e instanceof DomainError) {
      process.stderr.write(`Configuration error: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  const logger = createLogger(config.logLevel);
  if (tracing) logger.info(`tracing: OpenTelemetry spans to ${config.otlpEndpoint}/v1/traces`);

  let embedded: EmbeddedDatabase | null = null;
  let databaseUrl = config.databaseUrl;
  if (databaseUrl === null) {
    const dataDir = path.resolve(config.dataDir, 'pg');
    logger.info(`DATABASE_URL not set: starting the embedded PostgreSQL (data in ${dataDir}, port ${config.embeddedPgPort})`);
    embedded = await startEmbeddedPostgres({ dataDir, port: config.embeddedPgPort, database: 'scheduler', log: (m) => logger.debug(m), stopOnSignals: false });
    databaseUrl = embedded.url;
  }
  if (config.databaseDirectUrl) {
    // Migrations on the direct connection: DATABASE_URL is a pooler (README "Behind a pooler").
    const migrator = await openOrm({ clientUrl: config.databaseDirectUrl, poolSize: 2 });
    await migrator.close();
  }
  const orm = await openOrm({ clientUrl: databaseUrl, poolSize: config.dbPoolSize, migrate: !config.databaseDirectUrl, genericPlans: config.databasePooler !== 'transaction' });
  const server = await startServer({ config, orm, databaseUrl, directUrl: config.databaseDirectUrl, logger, complexityWeights });
  if (config.authMode === 'on' && config.adminToken === null) {
    const minted = await ensureAdminToken(orm.em as EntityManager, config.dataDir);
    if (minted) process.stderr.write(adminTokenBanner(minted.token, minted.file, server.url.replace(/\/graphql$/, '/')));
  }
  if (config.authMode === 'off') logger.warn('AUTH_MODE=off: every caller is a global admin (allowed because HOST is a loopback address)');
  logger.info(`GraphQL ready at ${server.url} (WebSocket subscriptions on the same path); GraphiQL at ${server.url.replace(/\/graphql$/, '/graphiql')}; dashboard at ${server.url.replace(/\/graphql$/, '/')}`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal}: shutting down gracefully`);
    const force = setTimeout(() => {
      logger.error('shutdown took longer than 15 s; exiting');
      process.exit(1);
    }, 15_000);
    force.unref();
    try {
      await server.close();
      await orm.close();
      await embedded?.stop();
      await tracing?.shutdown().catch((e: unknown) => logger.warn('tracing: could not send the last spans', e));
      logger.info('stopped');
      process.exit(0);
    } catch (e) {
      logger.error('error while shutting down', e);
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((e) => {
  process.stderr.write(`Failed to start: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
