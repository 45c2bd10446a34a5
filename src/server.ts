import 'reflect-metadata';
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import express from 'express';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import { coalesceWsWrites } from './http/ws-write-coalescing';
import { graphqlPostHandler, isGraphqlPost } from './http/graphql-post';
import { GraphQLError } from 'graphql';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { AppConfig } from './config';
import type { Logger } from './logger';
import { buildAppSchema } from './graphql/schema';
import { AppServices, createContext, GqlContext } from './graphql/context';
import { formatError } from './graphql/error-mapping';
import { createDocumentCache } from './graphql/document-cache';
import { Scheduler } from './scheduler/scheduler';
import { Sweeper } from './scheduler/sweeper';
import { EventStream } from './events/event-stream';
import { PgNotifier } from './events/pg-notifier';
import { markTransactionPooler, whenPoolerDetected } from './persistence/sql/run';
import { defaultWebRoot, mountWebPages } from './http/web-pages';
import type { ComplexityWeights } from './domain/complexity';
import { Metrics } from './observability/metrics';
import { InstrumentedScheduler } from './observability/instrumented-scheduler';
import { databaseGauges } from './observability/database-gauges';
import { startMetricsServer, MetricsServer } from './observability/metrics-server';
import { operationPlugin } from './observability/operation-plugin';
import { wsOperationTracker } from './observability/ws-operations';
import { Health } from './observability/health';
import { mountHealthRoutes } from './http/health-routes';
import { currentRequest, runInRequest } from './observability/request-context';

/** Largest HTTP request body (a createTasks of a few thousand tasks fits). */
const BODY_LIMIT_BYTES = 12 * 1024 * 1024;

export interface RunningServer {
  url: string;
  port: number;
  services: AppServices;
  notifier: PgNotifier;
  sweeper: Sweeper;
  metrics: Metrics;
  health: Health;
  /** Port of GET /metrics; null when METRICS_PORT=off. */
  metricsPort: number | null;
  /** Graceful stop: refuse new work, close sockets with 1001, finish in-flight requests, release connections. */
  close(): Promise<void>;
}

export interface ServerOptions {
  config: AppConfig;
  orm: MikroORM;
  databaseUrl: string;
  logger: Logger;
  complexityWeights?: ComplexityWeights;
  now?: () => Date;
  /** Event-log safety poll, ms (wake-ups normally come from commits and NOTIFY). */
  pollIntervalMs?: number;
  /** The metrics registry to count into (a new one when absent). */
  metrics?: Metrics;
  /**
   * A direct (or session-mode) connection for LISTEN when `databaseUrl` is a transaction-mode
   * pooler (config.databasePooler); main.ts passes DATABASE_DIRECT_URL.
   */
  directUrl?: string | null;
}

/** Without LISTEN (behind a pooler, no direct URL) the event log is polled this often instead. */
const POLL_WITHOUT_LISTEN_MS = 250;

/** HTTP (Apollo) and WebSocket (graphql-ws) on one server and one /graphql path, plus the pages. */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { config, orm, logger } = options;
  const now = options.now ?? (() => new Date());
  const logError = (what: string) => (e: unknown) => logger.error(what, e);
  const metrics = options.metrics ?? new Metrics();

  const pooled = config.databasePooler === 'transaction';
  if (pooled) markTransactionPooler(orm.em);
  whenPoolerDetected(orm.em, () =>
    logger.warn('the database refused a named prepared statement (DATABASE_URL looks like a transaction-mode pooler): statements run unnamed from now on; set DATABASE_POOLER=transaction and DATABASE_DIRECT_URL (see README "Behind a pooler")'),
  );
  const listenUrl = options.directUrl ?? (pooled ? null : options.databaseUrl);
  if (listenUrl === null) {
    logger.warn(
      `DATABASE_POOLER=transaction without DATABASE_DIRECT_URL: no LISTEN through the pooler, so changes made on other instances reach this one's subscribers by polling the event log every ${POLL_WITHOUT_LISTEN_MS} ms; set DATABASE_DIRECT_URL to a direct or session-mode connection for immediate wake-ups`,
    );
  }
  const stream = new EventStream(orm, {
    pollIntervalMs: options.pollIntervalMs ?? (listenUrl === null ? POLL_WITHOUT_LISTEN_MS : 1_000),
    bufferLimit: config.subscriptionBufferLimit,
    onError: logError('event stream read failed'),
    onDispatched: (events) => {
      const now = Date.now();
      for (const e of events) metrics.eventLag.observe(Math.max(0, now - e.at.getTime()) / 1000);
    },
  });
  const notifier = new PgNotifier(orm, {
    url: listenUrl,
    instanceId: randomUUID(),
    onWake: () => stream.wake(),
    onError: logError('notifier'),
    onConnectionLost: (e) => logger.warn('notifier: LISTEN connection lost; reconnecting (subscribers catch up from the log)', e),
  });
  const scheduler: Scheduler = new InstrumentedScheduler({
    now,
    defaultLeaseSeconds: config.defaultLeaseSeconds,
    maxLeaseSeconds: config.maxLeaseSeconds,
    complexityWeights: options.complexityWeights,
    afterCommit: () => {
      stream.wake();
      notifier.notify();
    },
    // A retry due sooner than the next sweep gets a sweep at its due time (taskReady then).
    retryScheduled: (at) => sweeper.wakeAt(at),
  }, metrics);
  const sweeper = new Sweeper(orm, scheduler.deps, {
    intervalMs: config.sweepIntervalMs,
    eventRetentionHours: config.eventRetentionHours,
    onError: logError('sweep failed'),
    onSwept: (swept) => {
      if (swept.expired - swept.failed > 0) metrics.leasesExpired.inc({ outcome: 'retry' }, swept.expired - swept.failed);
      if (swept.failed > 0) metrics.leasesExpired.inc({ outcome: 'failed' }, swept.failed);
    },
  });
  const health = new Health(orm, () => (listenUrl === null ? null : notifier.listening));
  const services: AppServices = { orm, scheduler, stream, config, complexityWeights: options.complexityWeights, now };

  const schema = await buildAppSchema();
  const app = express();
  app.disable('x-powered-by');
  // Express hashes every res.send body for an ETag, POST responses included (~5% of the CPU of an
  // HTTP GraphQL request). GraphQL responses are not conditional; the web pages' files keep
  // their own ETags (sendFile).
  app.set('etag', false);
  // POST /graphql skips Express (src/http/graphql-post.ts); the handler exists once Apollo runs.
  let graphqlPost: ((req: http.IncomingMessage, res: http.ServerResponse) => void) | null = null;
  // Every request runs with its own id (x-request-id in and out): each log line it causes carries it.
  const httpServer = http.createServer((req, res) =>
    runInRequest(req.headers['x-request-id'] as string | undefined, () => {
      res.setHeader('x-request-id', currentRequest()!.requestId);
      return graphqlPost && isGraphqlPost(req) ? graphqlPost(req, res) : app(req, res);
    }),
  );
  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql' });
  coalesceWsWrites(wsServer);
  const format = (e: GraphQLError) => formatError(e.toJSON(), e, logError('unexpected error in a GraphQL operation'));
  const prepare = createDocumentCache(schema);
  const wsOps = wsOperationTracker({ metrics, logger, slowMs: config.slowOperationMs });
  const wsCleanup = useServer<Record<string, unknown>, { socket: import('ws').WebSocket }>(
    {
      schema,
      onConnect: (ctx) => {
        wsOps.connected(ctx.extra.socket);
        return true;
      },
      onClose: (ctx) => wsOps.closed(ctx.extra.socket),
      onSubscribe: (ctx, id, payload) => {
        const prepared = prepare(payload.query);
        if ('errors' in prepared) {
          wsOps.refused(prepared.errors, payload.operationName);
          return prepared.errors;
        }
        wsOps.started(ctx.extra.socket, id, prepared.document, payload.operationName);
        return { schema, document: prepared.document, operationName: payload.operationName, variableValues: payload.variables };
      },
      onComplete: (ctx, id) => wsOps.completed(ctx.extra.socket, id),
      context: (ctx) => {
        const context: GqlContext & { closeConnection?: (code: number, reason: string) => void } = createContext(services, { subscription: true });
        context.closeConnection = (code, reason) => ctx.extra.socket.close(code, reason);
        return context as unknown as Record<string, unknown>;
      },
      onNext: (ctx, id, _payload, _args, result) => {
        if ('errors' in result && result.errors?.length) {
          wsOps.errored(ctx.extra.socket, id);
          return { ...result, errors: result.errors.map((e) => format(e) as unknown as GraphQLError) };
        }
        return undefined;
      },
      onError: (ctx, id, _payload, errors) => {
        wsOps.errored(ctx.extra.socket, id);
        return errors.map((e) => format(e) as unknown as GraphQLError);
      },
    },
    wsServer,
  );

  const apollo = new ApolloServer<GqlContext>({
    // Stack traces name files and lines of this server: never part of a response.
    includeStacktraceInErrorResponses: false,
    schema,
    introspection: true,
    // main.ts owns SIGTERM/SIGINT and calls close(). Apollo's own handler would run a second,
    // concurrent stop() that never settles (5.5.1 does not resolve the stop barrier on success).
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginLandingPageDisabled(),
      // Per-field cache hints and federated traces are work on every request that nothing here uses.
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      operationPlugin({ metrics, logger, slowMs: config.slowOperationMs }),
      {
        async serverWillStart() {
          return {
            async drainServer() {
              await wsCleanup.dispose();
            },
          };
        },
      },
    ],
    formatError: (formatted, error) => formatError(formatted, error, logError('unexpected error in a GraphQL request')),
  });
  await apollo.start();
  graphqlPost = graphqlPostHandler(apollo, {
    bodyLimitBytes: BODY_LIMIT_BYTES,
    context: async () => createContext(services),
    onUnexpectedError: logError('unexpected error in an HTTP GraphQL request'),
  });

  app.get('/healthz', (_req, res) => {
    // Calls and the statements that served them (group commit, src/scheduler/coalescer.ts).
    const shared = ({ calls, statements }: { calls: number; statements: number }) => ({ calls, statements });
    res.json({ ok: true, subscribers: stream.subscriberCount, claims: shared(scheduler.claims), completions: shared(scheduler.completions) });
  });
  mountHealthRoutes(app, health);
  app.get('/graphql', (req, res, next) => {
    // A person opening the endpoint in a browser gets GraphiQL; clients' GET queries go on.
    if (req.accepts(['application/json', 'text/html']) === 'text/html' && !req.query.query) return res.redirect(302, '/graphiql');
    next();
  });
  app.use(
    '/graphql',
    express.json({ limit: BODY_LIMIT_BYTES }),
    expressMiddleware(apollo, { context: async () => createContext(services) }),
  );
  mountWebPages(app, { webRoot: defaultWebRoot() });

  await notifier.start();
  stream.start();
  sweeper.start();
  await new Promise<void>((resolve) => httpServer.listen(config.port, config.host, resolve));
  const refreshGauges = databaseGauges(orm, metrics);
  const metricsServer: MetricsServer | null =
    config.metricsPort === null
      ? null
      : await startMetricsServer({
          metrics,
          port: config.metricsPort,
          host: config.host,
          refresh: async () => {
            metrics.listenUp.set(notifier.listening ? 1 : 0);
            await refreshGauges();
          },
          onError: logError('metrics: the database gauges could not be read'),
        });
  const address = httpServer.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const url = `http://${host}:${port}/graphql`;

  let closing: Promise<void> | null = null;
  return {
    url,
    port,
    services,
    notifier,
    sweeper,
    metrics,
    health,
    metricsPort: metricsServer?.port ?? null,
    close() {
      closing ??= (async () => {
        // Readiness fails first, so load balancers stop sending work before anything closes.
        health.markShuttingDown();
        if (config.shutdownDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, config.shutdownDelayMs));
        await sweeper.stop();
        // Sockets first, with 1001 and no `complete` before it: clients treat the subscription
        // as interrupted (reconnect elsewhere, resume with afterCursor), not as finished.
        for (const client of wsServer.clients) client.close(1001, 'Server shutting down');
        await stream.close();
        logger.debug('shutdown: subscriptions closed; draining HTTP');
        await apollo.stop();
        logger.debug('shutdown: HTTP drained');
        await notifier.close();
        await metricsServer?.close();
      })();
      return closing;
    },
  };
}
