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
import { LiveConnection, Multiplexer } from './events/multiplexer';
import { ProjectChanges } from './events/project-changes';
import { ProgressChannel } from './events/progress-channel';
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
import type { EntityManager } from '@mikro-orm/postgresql';
import { Authenticator } from './auth/authenticator';
import { SocketRegistry } from './auth/socket-registry';
import { RevocationListener } from './auth/revocation';
import { AccessGate } from './auth/access';
import { AuthFailureLimiter, OperationRateLimiter } from './auth/rate-limits';
import type { Principal } from './auth/principal';
import { DomainError } from './domain/errors';
import { sendRefusal } from './http/graphql-post';
import { UNUSABLE_TOKENS_SQL } from './persistence/sql/api-token.sql';
import { sql } from './persistence/sql/run';
import { costError, limitRules } from './auth/query-limits';
import { RateLimitedError, UnauthenticatedError } from './auth/errors';

/** Largest HTTP request body (a createTasks of a few thousand tasks fits). */
const BODY_LIMIT_BYTES = 12 * 1024 * 1024;

export interface RunningServer {
  url: string;
  port: number;
  services: AppServices;
  notifier: PgNotifier;
  /** This instance's open WebSockets by token (tests wait on its size). */
  sockets: SocketRegistry;
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
    onRead: (outcome) => metrics.eventLogReads.inc({ outcome }),
  });
  const projectChanges = new ProjectChanges();
  const notifier = new PgNotifier(orm, {
    url: listenUrl,
    instanceId: randomUUID(),
    onWake: () => stream.wake(),
    onProjectChanged: (projectId) => projectChanges.publish(projectId),
    onError: logError('notifier'),
    onConnectionLost: (e) => logger.warn('notifier: LISTEN connection lost; reconnecting (subscribers catch up from the log)', e),
  });
  const progress = new ProgressChannel(orm, { url: listenUrl, instanceId: randomUUID(), onError: logError('progress channel') });
  const scheduler: Scheduler = new InstrumentedScheduler({
    now,
    defaultLeaseSeconds: config.defaultLeaseSeconds,
    maxLeaseSeconds: config.maxLeaseSeconds,
    complexityWeights: options.complexityWeights,
    afterCommit: () => {
      stream.wake();
      notifier.notify();
    },
    // A retry, runAt or cron tick due sooner than the next sweep gets a sweep then (taskReady then).
    retryScheduled: (at) => sweeper.wakeAt(at, 'retry'),
    runAtScheduled: (at) => sweeper.wakeAt(at, 'scheduled'),
    // A completion or unblocking may have left a task SCHEDULED until a runAt not seen yet.
    dueTimesChanged: () => sweeper.recheckDueTimes(),
    // A claimed attempt's timeout or lease may end before the next regular sweep.
    attemptsStarted: (timeoutAt, leaseExpiresAt) => sweeper.attemptsStarted(timeoutAt, leaseExpiresAt),
    progressReported: (e) => progress.publish(e),
  }, metrics);
  const sweeper = new Sweeper(orm, scheduler.deps, {
    intervalMs: config.sweepIntervalMs,
    eventRetentionHours: config.eventRetentionHours,
    retentionDays: config.retentionDays,
    onError: logError('sweep failed'),
  });
  // Access control (src/auth): tokens checked at the door of both transports, cached a few
  // seconds; a revocation anywhere reaches this instance through its LISTEN channel.
  const authenticator = new Authenticator({ em: orm.em as EntityManager, authMode: config.authMode, adminToken: config.adminToken, now, onError: logError('token lastUsedAt') });
  const gate = new AccessGate(authenticator, new AuthFailureLimiter(config.authFailuresPerMinute), new OperationRateLimiter(config.rateLimitPerMinute));
  const sockets = new SocketRegistry(now);
  const tokenRevoked = (tokenId: string) => {
    authenticator.forget(tokenId);
    sockets.revoked(tokenId);
  };
  /** Closes the sockets of tokens revoked (or expired) meanwhile, from the database. */
  const recheckSockets = () => {
    const open = sockets.tokenIds();
    if (open.length === 0) return;
    sql<{ id: string }>(orm.em as EntityManager, UNUSABLE_TOKENS_SQL, [open])
      .then((rows) => rows.forEach((r) => tokenRevoked(r.id)))
      .catch(logError('re-checking WebSocket tokens'));
  };
  // LISTEN needs a direct (or session-mode) connection, like the notifier's. Behind a
  // transaction pooler without DATABASE_DIRECT_URL: other instances' revocations reach this one
  // by polling (open sockets every 2 s; HTTP within the 5 s token cache).
  const revocations =
    listenUrl === null
      ? null
      : new RevocationListener({
          url: listenUrl,
          onRevoked: tokenRevoked,
          onListening: () => {
            // Revocations sent while the connection was down were missed: start over from the database.
            authenticator.forgetAll();
            recheckSockets();
          },
          onError: (e) => logger.warn('token revocation LISTEN connection lost; reconnecting', e),
        });
  const revocationPoll = revocations === null ? setInterval(recheckSockets, 2_000).unref() : null;
  const health = new Health(orm, () => (listenUrl === null ? null : notifier.listening));
  const services: AppServices = { orm, scheduler, stream, projectChanges, progress, config, complexityWeights: options.complexityWeights, now, tokenRevoked };
  /**
   * Counts what the door refuses (tq_auth_failures_total by reason) and operations refused by the
   * per-token rate limit (tq_graphql_refused_total{reason="rate_limit"}), then rethrows.
   */
  const admit = async (authorization: unknown, address: string): Promise<Principal> => {
    try {
      return await gate.admit(authorization, address);
    } catch (e) {
      if (e instanceof UnauthenticatedError) metrics.authFailures.inc({ reason: e.reason });
      else if (e instanceof RateLimitedError) metrics.authFailures.inc({ reason: 'rate_limited' });
      throw e;
    }
  };
  const operationAllowed = (principal: Principal): void => {
    try {
      gate.operation(principal);
    } catch (e) {
      if (e instanceof RateLimitedError) {
        metrics.refused.inc({ reason: 'rate_limit' });
        metrics.operations.inc({ type: 'unknown', operation: 'other', result: 'refused' });
      }
      throw e;
    }
  };

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
  const limits = config.queryLimits;
  const parseOptions = { maxTokens: limits.maxTokens };
  const validationRules = limitRules(limits);
  const prepare = createDocumentCache(schema, { parseOptions, rules: validationRules });
  const multiplexer = new Multiplexer(stream, {
    bufferLimit: config.subscriptionBufferLimit,
    formatErrors: (errors) => errors.map((e) => format(e)),
  });
  const wsOps = wsOperationTracker({ metrics, logger, slowMs: config.slowOperationMs });
  const socketPrincipals = new WeakMap<object, { principal: Principal; unregister: () => void }>();
  const wsCleanup = useServer<Record<string, unknown>, { socket: import('ws').WebSocket; request: http.IncomingMessage }>(
    {
      schema,
      // The handshake is the door: no valid token in connectionParams.authorization, socket closed with 4403.
      onConnect: async (ctx) => {
        const params = ctx.connectionParams ?? {};
        try {
          const principal = await admit(params.authorization ?? params.Authorization, ctx.extra.request.socket.remoteAddress ?? 'unknown');
          const unregister = sockets.add(principal, (code, reason) => ctx.extra.socket.close(code, reason));
          socketPrincipals.set(ctx.extra.socket, { principal, unregister });
          wsOps.connected(ctx.extra.socket);
          return true;
        } catch (e) {
          if (e instanceof DomainError) return false;
          throw e;
        }
      },
      onClose: (ctx) => {
        socketPrincipals.get(ctx.extra.socket)?.unregister();
        wsOps.closed(ctx.extra.socket);
      },
      onSubscribe: (ctx, id, payload) => {
        const admitted = socketPrincipals.get(ctx.extra.socket);
        if (admitted) {
          try {
            gate.operation(admitted.principal);
          } catch (e) {
            if (e instanceof DomainError) {
              const errors = [new GraphQLError(e.message, { extensions: { ...e.extensions, code: e.code } })];
              wsOps.refused(errors, payload.operationName);
              return errors;
            }
            throw e;
          }
        }
        const prepared = prepare(payload.query);
        if ('errors' in prepared) {
          wsOps.refused(prepared.errors, payload.operationName);
          return prepared.errors;
        }
        const tooCostly = costError(schema, prepared.document, payload.operationName, payload.variables, limits.maxCost);
        if (tooCostly) {
          wsOps.refused([tooCostly], payload.operationName);
          return [tooCostly];
        }
        wsOps.started(ctx.extra.socket, id, prepared.document, payload.operationName);
        return { schema, document: prepared.document, operationName: payload.operationName, variableValues: payload.variables };
      },
      // Subscriptions to the live fields share executions (src/events/multiplexer.ts); groups are
      // keyed by the principal's scope too (src/events/visibility.ts), and each field's subscribe
      // (permission checks included) still runs for every subscriber.
      subscribe: (args) => multiplexer.subscribe(args) as never,
      onComplete: (ctx, id) => wsOps.completed(ctx.extra.socket, id),
      context: (ctx, id) => {
        const principal = socketPrincipals.get(ctx.extra.socket)?.principal;
        if (!principal) throw new Error('graphql-ws context before onConnect admitted the socket');
        const context: GqlContext & { closeConnection?: (code: number, reason: string) => void; liveConnection?: LiveConnection } = createContext(services, principal, {
          subscription: true,
        });
        context.closeConnection = (code, reason) => ctx.extra.socket.close(code, reason);
        context.liveConnection = { socket: ctx.extra.socket, subscriptionId: id };
        return context as unknown as Record<string, unknown>;
      },
      onNext: (ctx, id, _payload, _args, result) => {
        if ('errors' in result && result.errors?.length) {
          wsOps.errored(ctx.extra.socket, id, result.errors);
          return { ...result, errors: result.errors.map((e) => format(e) as unknown as GraphQLError) };
        }
        return undefined;
      },
      onError: (ctx, id, _payload, errors) => {
        wsOps.errored(ctx.extra.socket, id, errors);
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
    parseOptions,
    validationRules,
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
        // The cost depends on the variables (page sizes), so it is checked per request.
        async requestDidStart() {
          return {
            async didResolveOperation({ document, operationName, request }) {
              const tooCostly = costError(schema, document, operationName, request.variables, limits.maxCost);
              if (tooCostly) {
                tooCostly.extensions.http = { status: 400 };
                throw tooCostly;
              }
            },
          };
        },
      },
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
  const admitHttp = async (req: http.IncomingMessage): Promise<Principal> => {
    const principal = await admit(req.headers.authorization, req.socket.remoteAddress ?? 'unknown');
    operationAllowed(principal);
    return principal;
  };
  graphqlPost = graphqlPostHandler(apollo, {
    bodyLimitBytes: BODY_LIMIT_BYTES,
    admit: admitHttp,
    context: async (principal) => createContext(services, principal),
    onUnexpectedError: logError('unexpected error in an HTTP GraphQL request'),
  });

  app.get('/healthz', (_req, res) => {
    // Calls and the statements that served them (group commit, src/scheduler/coalescer.ts).
    const shared = ({ calls, statements }: { calls: number; statements: number }) => ({ calls, statements });
    res.json({
      ok: true,
      subscribers: stream.subscriberCount,
      claims: shared(scheduler.claims),
      completions: shared(scheduler.completions),
      creations: shared(scheduler.creations),
      // Shared subscriptions: groups, executions (one per group and event) vs frames delivered.
      live: {
        groups: multiplexer.groupCount,
        executions: multiplexer.executions,
        replayExecutions: multiplexer.replayExecutions,
        deliveries: multiplexer.deliveries,
        socketWrites: multiplexer.socketWrites,
        logReads: stream.reads,
      },
    });
  });
  mountHealthRoutes(app, health);
  app.get('/graphql', (req, res, next) => {
    // A person opening the endpoint in a browser gets GraphiQL; clients' GET queries go on.
    if (req.accepts(['application/json', 'text/html']) === 'text/html' && !req.query.query) return res.redirect(302, '/graphiql');
    next();
  });
  app.use(
    '/graphql',
    (req, res, next) => {
      admitHttp(req).then(
        (principal) => {
          res.locals.principal = principal;
          next();
        },
        (e: unknown) => {
          if (!(e instanceof DomainError)) return next(e);
          req.resume();
          sendRefusal(res, e);
        },
      );
    },
    express.json({ limit: BODY_LIMIT_BYTES }),
    expressMiddleware(apollo, { context: async ({ res }) => createContext(services, res.locals.principal as Principal) }),
  );
  mountWebPages(app, { webRoot: defaultWebRoot() });

  await notifier.start();
  await revocations?.start();
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
    sockets,
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
        projectChanges.close();
        await progress.close();
        logger.debug('shutdown: subscriptions closed; draining HTTP');
        await apollo.stop();
        logger.debug('shutdown: HTTP drained');
        await notifier.close();
        await metricsServer?.close();
        if (revocationPoll) clearInterval(revocationPoll);
        await revocations?.close();
      })();
      return closing;
    },
  };
}
