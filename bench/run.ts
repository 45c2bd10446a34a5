import os from 'node:os';
import { execSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadBenchConfig } from './config';
import { createBenchDatabase, openAdminDatabase, openPool, serverVersion, settleDatabaseServer, AdminDatabase, BenchDatabase } from './database';
import { MemorySampler, ServerProcess } from './server-process';
import { HttpGql } from './workers-http';
import { NotifyCounter } from './notify-counter';
import { CpuMeter } from './cpu';
import type { BenchContext, SummaryRow, WorkloadResult } from './context';
import { authOverhead } from './workloads/auth-overhead';
import { throughput } from './workloads/throughput';
import { startLatency } from './workloads/start-latency';
import { dependencies } from './workloads/dependencies';
import { scale } from './workloads/scale';
import { floor } from './workloads/floor';
import { runAt } from './workloads/run-at';
import { create } from './workloads/create';
import { live } from './workloads/live';
import { flow } from './workloads/flow';
import { sdkWorker } from './workloads/sdk-worker';
import { metricsOverhead } from './workloads/metrics-overhead';
import { log, num, progress, table } from './report';
import type { Spread } from './stats';

/**
 * `npm run bench`: a fresh database, the server as a child process, then the round-trip floor,
 * W1 (throughput), W2 (start latency), W3 (dependencies), Scale, Create (task creation), Time (runAt punctuality), Live, Flow (concurrency keys, bulk cancel), SDK (the client's createWorker), Metrics (W1 with metrics on vs off) and Memory. Prints a table per workload and a
 * summary, writes bench-results.json in the cwd. Missing a target is a result, not an error:
 * the exit code is non-zero only when something failed to run.
 */
async function main(): Promise<number> {
  const config = loadBenchConfig();
  const started = new Date();
  const loadAtStart = os.loadavg();
  const codeRevision = revision();
  let admin: AdminDatabase | null = null;
  let db: BenchDatabase | null = null;
  let server: ServerProcess | null = null;
  let ctx: BenchContext | null = null;
  let interrupted = false;

  const cleanup = async () => {
    for (const release of ctx?.cleanups ?? []) await release().catch(() => {});
    await ctx?.notifications.close().catch(() => {});
    ctx?.agent.destroy();
    await ctx?.pool.end().catch(() => {});
    await server?.stop().catch(() => {});
    await db?.drop().catch((e) => progress(`could not drop ${db?.name}: ${e}`));
    await admin?.stop().catch(() => {});
  };
  const onSignal = (signal: string) => {
    if (interrupted) return;
    interrupted = true;
    progress(`${signal}: stopping the server and dropping the bench database`);
    void cleanup().finally(() => process.exit(130));
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));

  const errors: { workload: string; error: string }[] = [];
  const results: WorkloadResult[] = [];
  const summary: SummaryRow[] = [];
  try {
    admin = await openAdminDatabase(process.env.DATABASE_URL?.trim() || undefined);
    db = await createBenchDatabase(admin.adminUrl);
    progress(`database ${db.name} (${admin.source}); starting the server`);
    server = await ServerProcess.start(db.url, config.serverNodeArgs);
    const pool = openPool(db.url, config.workers + 4);
    const agent = HttpGql.agent(config.workers + 2);
    ctx = {
      config,
      adminUrl: admin.adminUrl,
      databaseUrl: db.url,
      server,
      memory: new MemorySampler(server.pid, config.memorySampleMs),
      cpu: new CpuMeter(server.pid, pool),
      notifications: await NotifyCounter.start(db.url),
      pool,
      agent,
      http: new HttpGql(server.url, agent),
      cleanups: new Set(),
    };
    const pgVersion = await serverVersion(pool);
    const idleRss = ctx.memory.end().endRssMb;
    log(
      `Scheduler benchmark: ${config.quick ? 'QUICK smoke run' : 'full run'} | tasks ${num(config.tasks)}, runs ${config.runs}, workers ${config.workers} | ` +
        `code ${codeRevision} | Node ${process.version}, ${os.cpus().length} CPU(s), PostgreSQL ${pgVersion} (${admin.source}) | server pid ${server.pid}, idle RSS ${num(idleRss, 1)} MB | ` +
        `load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`,
    );

    const attempt = async <T extends WorkloadResult>(name: string, work: () => Promise<T>): Promise<T | null> => {
      if (interrupted || (config.only && !config.only.has(name.toLowerCase()))) return null;
      try {
        const settled = config.settle ? await settleDatabaseServer(admin!.adminUrl) : { waitedMs: 0 };
        if (settled.waitedMs > 1_000) progress(`${name}: waited ${num(settled.waitedMs / 1000, 1)} s for the database server to settle (autovacuum, checkpoint)`);
        const r = await work();
        results.push(r);
        summary.push(...r.summary);
        return r;
      } catch (e) {
        const message = e instanceof Error ? (e.stack ?? e.message) : String(e);
        progress(`${name} failed: ${message}`);
        errors.push({ workload: name, error: message });
        summary.push({ workload: name, figure: 'error', value: message.split('\n')[0]!.slice(0, 80), target: '-', pass: false });
        if (server && !(await serverAlive(server))) throw new Error(`the server died during ${name}:\n${server.log}`);
        return null;
      }
    };
    const c = ctx;
    await attempt('Floor', () => floor(c));
    const w1 = await attempt('W1', () => throughput(c));
    await attempt('Auth', () => authOverhead(c));
    await attempt('W2', () => startLatency(c));
    await attempt('W3', () => dependencies(c, w1?.perTaskApi ?? (null as Spread | null)));
    const sc = await attempt('Scale', () => scale(c));
    await attempt('Create', () => create(c));
    await attempt('Time', () => runAt(c));
    await attempt('Live', () => live(c));
    await attempt('Flow', () => flow(c));
    await attempt('SDK', () => sdkWorker(c));
    await attempt('Metrics', () => metricsOverhead(c));

    if (w1) {
      summary.push({ workload: 'Memory', figure: 'server peak RSS during W1 (VmHWM)', value: `${num(w1.peakRssMb, 1)} MB`, target: '<= 250 MB', pass: w1.peakRssMb <= 250 });
    }
    if (sc) summary.push({ workload: 'Memory', figure: 'server peak RSS during graph queries', value: `${num(sc.memoryPeakMb, 1)} MB`, target: '-', pass: null });
    log(`\nload average at the end: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (${os.cpus().length} CPUs; other work on the machine competes with the figures)`);
    log(
      table(
        'Summary',
        ['workload', 'figure', 'value', 'target', 'result'],
        summary.map((s) => [s.workload, s.figure, s.value, s.target, s.pass === null ? 'info' : s.pass ? 'pass' : 'FAIL']),
      ),
    );
  } catch (e) {
    const message = e instanceof Error ? (e.stack ?? e.message) : String(e);
    progress(`bench failed: ${message}`);
    errors.push({ workload: 'setup', error: message });
  } finally {
    const file = path.resolve(process.cwd(), 'bench-results.json');
    writeFileSync(
      file,
      JSON.stringify(
        {
          startedAt: started.toISOString(),
          finishedAt: new Date().toISOString(),
          seconds: (Date.now() - started.getTime()) / 1000,
          config: { ...config, only: config.only ? [...config.only] : null },
          environment: { revision: codeRevision, loadAverageAtStart: loadAtStart, loadAverageAtEnd: os.loadavg(), node: process.version, cpus: os.cpus().length, database: admin?.source ?? null, databaseName: db?.name ?? null, dbPoolSize: process.env.DB_POOL_SIZE ?? 'default (10)' },
          summary,
          workloads: Object.fromEntries(results.map((r) => [r.name, r.data])),
          errors,
        },
        null,
        2,
      ),
    );
    progress(`results written to ${file} (${num((Date.now() - started.getTime()) / 1000, 0)} s in all)`);
    await cleanup();
  }
  return errors.length > 0 ? 1 : 0;
}

/** Which code was measured: the commit, and whether the working tree differed from it. */
function revision(): string {
  try {
    const head = execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    const dirty = execSync('git status --porcelain --untracked-files=no -- src', { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim() !== '';
    return `${head}${dirty ? ' + uncommitted changes in src/' : ''}`;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

async function serverAlive(server: ServerProcess): Promise<boolean> {
  try {
    process.kill(server.pid, 0);
    return true;
  } catch {
    return false;
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
