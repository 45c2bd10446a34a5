/**
 * The only reader of the environment. Every setting has a named default; an invalid value stops
 * the server at start with a message naming the variable (see README "Configuration").
 */
export interface AppConfig {
  port: number;
  host: string;
  /** null: run the embedded PostgreSQL under `dataDir`. */
  databaseUrl: string | null;
  /**
   * A direct (or session-mode) connection for LISTEN and the migrations when DATABASE_URL is a
   * transaction-mode pooler; null: DATABASE_URL carries everything.
   */
  databaseDirectUrl: string | null;
  /** 'transaction': DATABASE_URL is a transaction-mode pooler (no named prepared statements, no LISTEN). */
  databasePooler: 'none' | 'transaction';
  dataDir: string;
  embeddedPgPort: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  defaultLeaseSeconds: number;
  maxLeaseSeconds: number;
  sweepIntervalMs: number;
  eventRetentionHours: number;
  dbPoolSize: number;
  complexityConfigPath: string | null;
  /** Longest a slow subscriber may lag (queued events) before it is disconnected. */
  subscriptionBufferLimit: number;
  /**
   * Days finished tasks are kept, per status (RETENTION_DAYS, overridden by
   * RETENTION_DAYS_COMPLETED / _FAILED / _CANCELLED); 0 keeps them forever.
   */
  retentionDays: { COMPLETED: number; FAILED: number; CANCELLED: number };
  /** Port of GET /metrics (0: any free port); null: metrics not served (METRICS_PORT=off). */
  metricsPort: number | null;
  /** GraphQL operations slower than this are logged at warn with name and duration. */
  slowOperationMs: number;
  /** On SIGTERM, /readyz fails this long before the server stops taking requests. */
  shutdownDelayMs: number;
  /** OpenTelemetry OTLP/HTTP endpoint; null: no tracing. */
  otlpEndpoint: string | null;
  /** AUTH_MODE: 'on' (tokens required) or 'off' (every caller is a global admin; loopback HOST only). */
  authMode: 'on' | 'off';
  /** ADMIN_TOKEN: a string of 32+ characters accepted as a global admin token (CI, compose, scripts). */
  adminToken: string | null;
  /** Query limits (src/auth/query-limits.ts), the same on HTTP and WebSocket. */
  queryLimits: QueryLimits;
  /** RATE_LIMIT_PER_MINUTE: operations per token per minute; 0 = off (the default). */
  rateLimitPerMinute: number;
  /** AUTH_FAILURES_PER_MINUTE: failed authentications allowed per client address per minute. */
  authFailuresPerMinute: number;
}

export interface QueryLimits {
  maxDepth: number;
  maxAliases: number;
  maxTokens: number;
  maxCost: number;
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, def: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  if (!/^-?\d+$/.test(raw.trim())) throw new ConfigError(`${name} must be a whole number, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;

export function loadConfig(env: Env = process.env): AppConfig {
  const databaseUrl = env.DATABASE_URL?.trim() || null;
  if (databaseUrl !== null && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError(`DATABASE_URL must be a postgres:// or postgresql:// URL, got "${databaseUrl}"`);
  }
  const databaseDirectUrl = env.DATABASE_DIRECT_URL?.trim() || null;
  if (databaseDirectUrl !== null && !/^postgres(ql)?:\/\//.test(databaseDirectUrl)) {
    throw new ConfigError(`DATABASE_DIRECT_URL must be a postgres:// or postgresql:// URL, got "${databaseDirectUrl}"`);
  }
  if (databaseDirectUrl !== null && databaseUrl === null) {
    throw new ConfigError('DATABASE_DIRECT_URL is set but DATABASE_URL is not: set both (the pooler in DATABASE_URL, the direct connection in DATABASE_DIRECT_URL)');
  }
  // A direct URL next to DATABASE_URL means DATABASE_URL is the pooler, unless said otherwise.
  const pooler = env.DATABASE_POOLER?.trim() || (databaseDirectUrl ? 'transaction' : 'none');
  if (pooler !== 'none' && pooler !== 'transaction') {
    throw new ConfigError(`DATABASE_POOLER must be "transaction" or "none", got "${env.DATABASE_POOLER}"`);
  }
  const logLevel = (env.LOG_LEVEL?.trim() || 'info') as AppConfig['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${env.LOG_LEVEL}"`);
  }
  const metricsRaw = env.METRICS_PORT?.trim().toLowerCase();
  const metricsPort = metricsRaw === 'off' || metricsRaw === 'false' ? null : int(env, 'METRICS_PORT', 9464, 0, 65_535);
  const otlpEndpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || null;
  if (otlpEndpoint !== null && !/^https?:\/\/[^\s]+$/.test(otlpEndpoint)) {
    throw new ConfigError(`OTEL_EXPORTER_OTLP_ENDPOINT must be an http:// or https:// URL, got "${otlpEndpoint}"`);
  }
  const maxLeaseSeconds = int(env, 'MAX_LEASE_SECONDS', 86_400, 1, 7 * 86_400);
  const retentionDays = int(env, 'RETENTION_DAYS', 14, 0, 36_500);
  const host = env.HOST?.trim() || '0.0.0.0';
  const authMode = (env.AUTH_MODE?.trim().toLowerCase() || 'on') as AppConfig['authMode'];
  if (authMode !== 'on' && authMode !== 'off') throw new ConfigError(`AUTH_MODE must be "on" or "off", got "${env.AUTH_MODE}"`);
  if (authMode === 'off' && !isLoopback(host)) {
    throw new ConfigError(`AUTH_MODE=off turns access control off, so it is refused unless HOST is a loopback address (127.0.0.1, ::1, localhost); HOST is "${host}"`);
  }
  const adminToken = env.ADMIN_TOKEN === undefined || env.ADMIN_TOKEN === '' ? null : env.ADMIN_TOKEN;
  if (adminToken !== null && (adminToken.length < 32 || adminToken.length > 512 || /\s/.test(adminToken))) {
    throw new ConfigError('ADMIN_TOKEN must be 32 to 512 characters without spaces (e.g. the output of `openssl rand -hex 32`)');
  }
  return {
    port: int(env, 'PORT', 4000, 0, 65_535),
    host,
    databaseUrl,
    databaseDirectUrl,
    databasePooler: pooler,
    dataDir: env.DATA_DIR?.trim() || '.data',
    embeddedPgPort: int(env, 'EMBEDDED_PG_PORT', 54329, 1024, 65_535),
    logLevel,
    defaultLeaseSeconds: int(env, 'DEFAULT_LEASE_SECONDS', 30, 1, maxLeaseSeconds),
    maxLeaseSeconds,
    sweepIntervalMs: int(env, 'SWEEP_INTERVAL_MS', 2_000, 50, 60_000),
    eventRetentionHours: int(env, 'EVENT_RETENTION_HOURS', 72, 1, 24 * 365),
    dbPoolSize: int(env, 'DB_POOL_SIZE', 10, 2, 200),
    complexityConfigPath: env.COMPLEXITY_CONFIG?.trim() || null,
    // At least one transaction's worth of events (createTasks logs up to 1000 at once).
    subscriptionBufferLimit: int(env, 'SUBSCRIPTION_BUFFER_LIMIT', 10_000, 1_000, 1_000_000),
    retentionDays: {
      COMPLETED: int(env, 'RETENTION_DAYS_COMPLETED', retentionDays, 0, 36_500),
      FAILED: int(env, 'RETENTION_DAYS_FAILED', retentionDays, 0, 36_500),
      CANCELLED: int(env, 'RETENTION_DAYS_CANCELLED', retentionDays, 0, 36_500),
    },
    metricsPort,
    slowOperationMs: int(env, 'SLOW_OPERATION_MS', 1_000, 1, 3_600_000),
    shutdownDelayMs: int(env, 'SHUTDOWN_DELAY_MS', 0, 0, 60_000),
    otlpEndpoint,
    authMode,
    adminToken,
    // Defaults far above what the README, GraphiQL's examples, the dashboard and the bench send
    // (test/auth/limits.test.ts checks them), low enough to stop a hostile document early.
    queryLimits: {
      maxDepth: int(env, 'QUERY_MAX_DEPTH', 12, 2, 1_000),
      maxAliases: int(env, 'QUERY_MAX_ALIASES', 30, 1, 100_000),
      maxTokens: int(env, 'QUERY_MAX_TOKENS', 5_000, 100, 1_000_000),
      maxCost: int(env, 'QUERY_MAX_COST', 50_000, 10, 100_000_000),
    },
    rateLimitPerMinute: int(env, 'RATE_LIMIT_PER_MINUTE', 0, 0, 1_000_000),
    authFailuresPerMinute: int(env, 'AUTH_FAILURES_PER_MINUTE', 30, 1, 1_000_000),
  };
}
