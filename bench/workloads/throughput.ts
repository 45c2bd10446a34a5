import { performance } from 'node:perf_hooks';
import type { BenchContext, Meters, SummaryRow, WorkloadResult } from '../context';
import { metered } from '../context';
import { analyze, createProject, insertReadyTasks, truncateTasks } from '../seed';
import { rawBatchWorker, rawPerTaskWithTransportWorker, rawPerTaskWorker } from '../raw-sql';
import { batchedWorker, perTaskWorker, runWorkers, WorkersResult } from '../worker-loops';
import { WsGql } from '../workers-ws';
import { median, spread, ratio, Spread } from '../stats';
import { log, num, progress, table, withSpread } from '../report';
import { CpuMeter } from '../cpu';
import { pgBouncerBinary, startPgBouncer } from '../pgbouncer';
import { MemorySampler, ServerProcess } from '../server-process';
import { withDatabase } from '../database';

/**
 * W1: N no-op READY tasks, W concurrent workers, claim + complete, through the public API
 * (HTTP, graphql-ws, batched) and against raw-SQL baselines on the same schema. Tasks are
 * bulk-inserted (creation is not measured); the task tables are emptied before every variant
 * so each starts from the same state, and variants alternate within a run so drift (autovacuum,
 * other load on the machine) spreads over all of them.
 */
type VariantKey = 'a' | 'b' | 'c' | 'raw' | 'rawApp' | 'ceiling' | 'rawBatch' | 'pooled';

interface Variant {
  key: VariantKey;
  label: string;
  /** The server it measures when not ctx's (the pooler variant's own process). */
  ctx?: BenchContext;
  /** `until`: performance.now() ms after which workers stop (the per-variant time cap). */
  run(projectId: string, until: number): Promise<WorkersResult>;
}

export interface VariantResult {
  key: VariantKey;
  label: string;
  tasksPerSecond: Spread;
  runs: Run[];
}

/** `statementsPerTask`: claim + completion statements the server ran per task (0 for raw SQL). */
type Run = WorkersResult & Meters & { statementsPerTask: number };

/**
 * The server's claim and completion statements so far (its /healthz counters): concurrent calls
 * share statements (src/scheduler/coalescer.ts), and this shows how many it took per task.
 */
async function statementCounters(ctx: BenchContext): Promise<number> {
  const res = await fetch(ctx.server.url.replace(/\/graphql$/, '/healthz'));
  const body = (await res.json()) as { claims: { statements: number }; completions: { statements: number } };
  return body.claims.statements + body.completions.statements;
}

export async function throughput(ctx: BenchContext): Promise<WorkloadResult & { peakRssMb: number; perTaskApi: Spread | null }> {
  const { config, pool } = ctx;
  const W = config.workers;
  const ws = await Promise.all(Array.from({ length: W }, () => WsGql.connect(ctx.server.wsUrl)));
  try {
    const allVariants: Variant[] = [
      { key: 'a', label: '(a) API per task, HTTP keep-alive', run: (p, u) => runWorkers(W, (i) => perTaskWorker(ctx.http, p, `http-${i}`, u)) },
      { key: 'b', label: '(b) API per task, graphql-ws', run: (p, u) => runWorkers(W, (i) => perTaskWorker(ws[i]!, p, `ws-${i}`, u)) },
      { key: 'c', label: `(c) API batched ${config.batchSize}, HTTP`, run: (p, u) => runWorkers(W, (i) => batchedWorker(ctx.http, p, `batch-${i}`, config.batchSize, u)) },
      { key: 'raw', label: 'raw SQL per task, same claim statement', run: (p, u) => runWorkers(W, (i) => rawPerTaskWorker(pool, p, `raw-${i}`, 'plain', u)) },
      { key: 'rawApp', label: 'raw SQL per task, app claim+complete SQL', run: (p, u) => runWorkers(W, (i) => rawPerTaskWorker(pool, p, `rawapp-${i}`, 'app', u)) },
      { key: 'ceiling', label: 'one statement per call: raw SQL + 2 empty graphql-ws ops', run: (p, u) => runWorkers(W, (i) => rawPerTaskWithTransportWorker(pool, ws[i]!, p, `ceil-${i}`, u)) },
      { key: 'rawBatch', label: `raw SQL batches of ${config.batchSize}`, run: (p, u) => runWorkers(W, (i) => rawBatchWorker(pool, p, `rawb-${i}`, config.batchSize, u)) },
    ];
    const pooled = !config.w1Variants || config.w1Variants.has('pooled') ? await pooledServer(ctx) : null;
    if (pooled) {
      allVariants.push({
        key: 'pooled',
        label: '(b) through PgBouncer (transaction mode), graphql-ws',
        ctx: pooled.ctx,
        run: (p, u) => runWorkers(W, (i) => perTaskWorker(pooled.ws[i]!, p, `pool-${i}`, u)),
      });
    }
    // BENCH_W1_VARIANTS narrows the run (profiling one variant); ratios whose baseline did not run show NaN.
    const variants = allVariants.filter((v) => !config.w1Variants || config.w1Variants.has(v.key));
    const projectId = await createProject(pool, `bench-w1-${Date.now()}`);

    // Warm-up (not recorded): JIT, connection pools, plan caches on both sides.
    const warm = Math.min(1_000, Math.ceil(config.tasks / 10));
    for (const v of variants) {
      await prepare(ctx, projectId, warm);
      await v.run(projectId, performance.now() + 10_000);
    }

    const results = new Map<VariantKey, Run[]>(variants.map((v) => [v.key, []]));
    for (let run = 1; run <= config.runs; run++) {
      for (const v of variants) {
        await prepare(ctx, projectId, config.tasks);
        progress(`W1 run ${run}/${config.runs}: ${v.label}, ${config.tasks} tasks`);
        const vctx = v.ctx ?? ctx;
        const before = await statementCounters(vctx);
        const { result, meters } = await metered(vctx, () => v.run(projectId, performance.now() + config.variantSeconds * 1000));
        const after = await statementCounters(vctx);
        await verifyCompleted(ctx, projectId, config.tasks, v.label, result.tasks);
        if (result.tasks < config.tasks) progress(`  time cap: ${result.tasks} of ${config.tasks} tasks in ${result.seconds.toFixed(1)} s`);
        results.get(v.key)!.push({ ...result, ...meters, statementsPerTask: (after - before) / result.tasks });
      }
    }
    await truncateTasks(pool);

    const out: VariantResult[] = variants.map((v) => {
      const runs = results.get(v.key)!;
      return { key: v.key, label: v.label, tasksPerSecond: spread(runs.map((r) => r.tasksPerSecond)), runs };
    });
    const tps = (k: VariantKey) => out.find((o) => o.key === k)?.tasksPerSecond.median ?? NaN;
    const targets: Record<VariantKey, { base: VariantKey | null; min: number | null }> = {
      a: { base: 'raw', min: 0.8 },
      b: { base: 'raw', min: 0.8 },
      c: { base: 'rawBatch', min: 0.3 },
      raw: { base: null, min: null },
      rawApp: { base: 'raw', min: null },
      ceiling: { base: 'raw', min: null },
      rawBatch: { base: null, min: null },
      // Behind the pooler every statement is planned anew (no named statements) and takes one
      // more hop: shown next to (b) direct, the same workers over the same transport.
      pooled: { base: 'b', min: null },
    };
    const rows = out.map((o) => {
      const t = targets[o.key];
      const r = t.base ? ratio(o.tasksPerSecond.median, tps(t.base)) : NaN;
      return [
        o.label,
        withSpread(o.tasksPerSecond),
        num(median(o.runs.map((x) => x.tasks))),
        t.base ? `${num(r, 2)}x ${t.base === 'raw' ? 'raw' : t.base === 'b' ? '(b) direct' : 'raw batch'}` : '-',
        t.min !== null ? `>= ${t.min}x` : '-',
        t.min !== null ? (r >= t.min ? 'pass' : 'FAIL') : '-',
      ];
    });
    const capped = out.some((o) => o.runs.some((x) => x.tasks < config.tasks));
    log(table(`W1 throughput: ${config.tasks} no-op tasks, ${W} workers, median of ${config.runs} run(s) (min-max)${capped ? `; runs capped at ${config.variantSeconds} s (tasks done < ${config.tasks})` : ''}`, ['variant', 'tasks/s', 'tasks done', 'ratio', 'target', ''], rows));

    const detail = out.map((o) => {
      const m = (f: (r: Run) => number) => spread(o.runs.map(f)).median;
      const per1k = (f: (r: Run) => number) => m((r) => (f(r) / r.tasks) * 1000);
      return [
        o.label,
        num(m((r) => r.seconds), 2),
        num(per1k((r) => r.cpu.serverCpu), 3),
        num(per1k((r) => r.cpu.postgresCpu), 3),
        num(per1k((r) => r.cpu.benchCpu), 3),
        num(m((r) => (r.cpu.serverCpu + r.cpu.postgresCpu + r.cpu.benchCpu) / r.seconds), 2),
        num(m((r) => r.notifications / r.tasks), 3),
        ['a', 'b', 'c', 'pooled'].includes(o.key) ? num(m((r) => r.statementsPerTask), 3) : '-',
        num(Math.max(...o.runs.map((r) => r.memory.hwmMb)), 1),
      ];
    });
    log(
      table(
        'W1 where the time goes (medians; CPU ms per task; CPU-s/s: all three together per wall second, of 2 on this machine; postgres = backends of the bench database + shared background processes; statements/task: claim + completion statements the server ran per task, 2 without group commit)',
        ['variant', 'wall s', 'server ms', 'postgres ms', 'bench ms', 'CPU-s/s', 'NOTIFY/task', 'statements/task', 'server peak MB'],
        detail,
      ),
    );

    const apiRuns = out.filter((o) => ['a', 'b', 'c'].includes(o.key)).flatMap((o) => o.runs);
    const peakRssMb = apiRuns.length === 0 ? NaN : Math.max(...apiRuns.map((r) => Math.max(r.memory.hwmMb, r.memory.sampledPeakMb)));
    const bestPerTask = Math.max(ratio(tps('a'), tps('raw')), ratio(tps('b'), tps('raw')));
    const summary: SummaryRow[] = [
      row('W1', '(a) HTTP per task / raw per task', ratio(tps('a'), tps('raw')), `${num(tps('a'))} vs ${num(tps('raw'))} tasks/s`, 0.8),
      row('W1', '(b) graphql-ws per task / raw per task', ratio(tps('b'), tps('raw')), `${num(tps('b'))} vs ${num(tps('raw'))} tasks/s`, 0.8),
      { workload: 'W1', figure: '(a) or (b) >= 0.8x raw per task', value: `${num(bestPerTask, 2)}x`, target: '>= 0.8x', pass: bestPerTask >= 0.8 },
      {
        workload: 'W1',
        figure: 'ceiling of one statement per call (raw SQL + 2 empty graphql-ws ops) / raw',
        value: `${num(ratio(tps('ceiling'), tps('raw')), 2)}x (${num(tps('ceiling'))} tasks/s); (b) reaches ${num(ratio(tps('b'), tps('ceiling')), 2)}x of it`,
        target: '-',
        pass: null,
      },
      row('W1', '(c) batched / raw batch', ratio(tps('c'), tps('rawBatch')), `${num(tps('c'))} vs ${num(tps('rawBatch'))} tasks/s`, 0.3),
      {
        workload: 'W1',
        figure: '(b) through PgBouncer (transaction mode) / (b) direct',
        value: pooled ? `${num(ratio(tps('pooled'), tps('b')), 2)}x (${num(tps('pooled'))} vs ${num(tps('b'))} tasks/s)` : 'not run (no pgbouncer binary, or not selected)',
        target: '-',
        pass: null,
      },
    ];
    return { name: 'W1 throughput', data: { tasks: config.tasks, workers: W, variants: out }, summary, peakRssMb, perTaskApi: out.find((o) => o.key === 'a')?.tasksPerSecond ?? null };
  } finally {
    await Promise.all(ws.map((c) => c.close()));
  }
}

/**
 * A second server process on the same bench database, its DATABASE_URL at a PgBouncer in
 * transaction mode (DATABASE_DIRECT_URL direct, for LISTEN and migrations), with its own meters
 * and graphql-ws connections. PgBouncer's own CPU is in none of the columns.
 */
async function pooledServer(ctx: BenchContext): Promise<{ ctx: BenchContext; ws: WsGql[] } | null> {
  if (!pgBouncerBinary()) {
    progress('W1: no pgbouncer binary (apt-get install pgbouncer): the pooler variant is skipped');
    return null;
  }
  const directUrl = ctx.server.databaseUrl;
  const bouncer = await startPgBouncer(directUrl, { poolSize: 20 });
  ctx.cleanups.add(() => bouncer.stop());
  const server = await ServerProcess.start(withDatabase(bouncer.url, new URL(directUrl).pathname.slice(1)), ctx.config.serverNodeArgs, {
    DATABASE_DIRECT_URL: directUrl,
    DATABASE_POOLER: 'transaction',
  });
  ctx.cleanups.add(() => server.stop());
  const ws = await Promise.all(Array.from({ length: ctx.config.workers }, () => WsGql.connect(server.wsUrl)));
  ctx.cleanups.add(() => Promise.all(ws.map((c) => c.close())).then(() => {}));
  return {
    ctx: { ...ctx, server, memory: new MemorySampler(server.pid, ctx.config.memorySampleMs), cpu: new CpuMeter(server.pid, ctx.pool) },
    ws,
  };
}

function row(workload: string, figure: string, r: number, detail: string, min: number): SummaryRow {
  return { workload, figure, value: `${num(r, 2)}x (${detail})`, target: `>= ${min}x`, pass: r >= min };
}

async function prepare(ctx: BenchContext, projectId: string, tasks: number): Promise<void> {
  await truncateTasks(ctx.pool);
  await insertReadyTasks(ctx.pool, projectId, tasks);
  await analyze(ctx.pool);
}

/** The workers' count must match the database: `reported` COMPLETED, nothing RUNNING, the rest READY. */
async function verifyCompleted(ctx: BenchContext, projectId: string, inserted: number, label: string, reported: number): Promise<void> {
  const { rows } = await ctx.pool.query<{ completed: number; ready: number; other: number }>(
    `select count(*) filter (where status = 'COMPLETED')::int as completed, count(*) filter (where status = 'READY')::int as ready,
            count(*) filter (where status not in ('COMPLETED', 'READY'))::int as other
       from task where project_id = $1`,
    [projectId],
  );
  const { completed, ready, other } = rows[0]!;
  if (completed !== reported || other !== 0 || completed + ready !== inserted) {
    throw new Error(`${label}: workers reported ${reported} completions; the table has ${completed} COMPLETED, ${ready} READY, ${other} other (of ${inserted})`);
  }
}
