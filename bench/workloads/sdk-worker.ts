import { performance } from 'node:perf_hooks';
import type { BenchContext, Meters, SummaryRow, WorkloadResult } from '../context';
import { metered } from '../context';
import { analyze, createProject, insertReadyTasks, truncateTasks } from '../seed';
import { rawBatchWorker } from '../raw-sql';
import { perTaskWorker, runWorkers, WorkersResult } from '../worker-loops';
import { CREATE_TASK } from '../operations';
import { BENCH_ADMIN_TOKEN } from '../auth';
import { latencySummary, LatencySummary, ratio, spread } from '../stats';
import { log, ms, num, progress, table, withSpread } from '../report';
import { createWorker } from '../../client/src';

/**
 * SDK (BENCH_ONLY=sdk): W1 and W2 through the client package's createWorker, as users run it.
 *
 * W1: the same N no-op READY tasks as W1, one createWorker with concurrency = BENCH_WORKERS
 * (free-slot claimTasks, batched fenced completions, one socket), against W1's raw-SQL batch
 * baseline and (a) per-task HTTP workers, variants alternating within a run, median of runs.
 * Targets: >= 0.3x raw batch, >= 2x (a).
 * W2: an idle createWorker (concurrency 1); per sample, createTask over HTTP, then the time until
 * the handler is called. Targets: p50 <= 3 ms, p99 <= 15 ms.
 */
type Key = 'sdk' | 'rawBatch' | 'a';
type Run = WorkersResult & Meters;

export async function sdkWorker(ctx: BenchContext): Promise<WorkloadResult> {
  const { config, pool } = ctx;
  const projectId = await createProject(pool, `bench-sdk-${Date.now()}`);
  const variants: { key: Key; label: string; run(until: number): Promise<WorkersResult> }[] = [
    { key: 'sdk', label: `createWorker, concurrency ${config.workers}, no-op handler`, run: (until) => sdkRun(ctx, projectId, config.tasks, until) },
    { key: 'rawBatch', label: `raw SQL batches of ${config.batchSize}, ${config.workers} workers`, run: (until) => runWorkers(config.workers, (i) => rawBatchWorker(pool, projectId, `rawb-${i}`, config.batchSize, until)) },
    { key: 'a', label: `(a) API per task, HTTP, ${config.workers} workers`, run: (until) => runWorkers(config.workers, (i) => perTaskWorker(ctx.http, projectId, `http-${i}`, until)) },
  ];
  const prepare = async (n: number) => {
    await truncateTasks(pool);
    await insertReadyTasks(pool, projectId, n);
    await analyze(pool);
  };
  for (const v of variants) {
    await prepare(Math.min(1_000, Math.ceil(config.tasks / 10)));
    await v.run(performance.now() + 10_000);
  }
  const runs = new Map<Key, Run[]>(variants.map((v) => [v.key, []]));
  for (let run = 1; run <= config.runs; run++) {
    for (const v of variants) {
      await prepare(config.tasks);
      progress(`SDK W1 run ${run}/${config.runs}: ${v.label}, ${config.tasks} tasks`);
      const { result, meters } = await metered(ctx, () => v.run(performance.now() + config.variantSeconds * 1000));
      runs.get(v.key)!.push({ ...result, ...meters });
    }
  }
  await truncateTasks(pool);
  const tps = (k: Key) => spread(runs.get(k)!.map((r) => r.tasksPerSecond));
  const perTask = (k: Key, f: (r: Run) => number) => spread(runs.get(k)!.map((r) => (f(r) / r.tasks) * 1000)).median;
  log(
    table(
      `SDK W1: ${config.tasks} no-op tasks, median of ${config.runs} run(s) (min-max); CPU ms per task`,
      ['variant', 'tasks/s', 'server ms', 'postgres ms', 'bench ms'],
      variants.map((v) => [v.label, withSpread(tps(v.key)), num(perTask(v.key, (r) => r.cpu.serverCpu), 3), num(perTask(v.key, (r) => r.cpu.postgresCpu), 3), num(perTask(v.key, (r) => r.cpu.benchCpu), 3)]),
    ),
  );
  const vsBatch = ratio(tps('sdk').median, tps('rawBatch').median);
  const vsHttp = ratio(tps('sdk').median, tps('a').median);

  const latency = await sdkStartLatency(ctx);
  const summary: SummaryRow[] = [
    { workload: 'SDK', figure: 'W1 createWorker / raw SQL batch', value: `${num(vsBatch, 2)}x (${num(tps('sdk').median)} vs ${num(tps('rawBatch').median)} tasks/s)`, target: '>= 0.3x', pass: vsBatch >= 0.3 },
    { workload: 'SDK', figure: 'W1 createWorker / (a) HTTP per task', value: `${num(vsHttp, 2)}x (${num(tps('sdk').median)} vs ${num(tps('a').median)} tasks/s)`, target: '>= 2x', pass: vsHttp >= 2 },
    { workload: 'SDK', figure: 'W2 createWorker start latency p50', value: ms(latency.p50), target: '<= 3 ms', pass: latency.p50 <= 3 },
    { workload: 'SDK', figure: 'W2 createWorker start latency p99', value: ms(latency.p99), target: '<= 15 ms', pass: latency.p99 <= 15 },
  ];
  return { name: 'SDK worker', data: { w1: Object.fromEntries([...runs].map(([k, r]) => [k, r])), w2: latency }, summary };
}

/** One createWorker until every task is completed (or the time cap), then closed. */
async function sdkRun(ctx: BenchContext, projectId: string, tasks: number, until: number): Promise<WorkersResult> {
  const started = process.hrtime.bigint();
  let completed = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const worker = createWorker({
    url: ctx.server.url,
    token: BENCH_ADMIN_TOKEN,
    projectId,
    concurrency: ctx.config.workers,
    handleSignals: false,
    handler: () => null,
  });
  worker.on('error', () => {});
  worker.on('completed', () => ++completed >= tasks && done());
  const cap = setTimeout(done, Math.max(0, until - performance.now()));
  // Warm-up runs use fewer tasks: stop once the queue is empty too.
  const empty = setInterval(async () => {
    const { rows } = await ctx.pool.query<{ n: number }>(`select count(*)::int as n from task where project_id = $1 and status <> 'COMPLETED'`, [projectId]);
    if (rows[0]!.n === 0) done();
  }, 500);
  await finished;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  clearTimeout(cap);
  clearInterval(empty);
  await worker.close({ force: true });
  return { tasks: completed, seconds, tasksPerSecond: completed / seconds };
}

/** W2 through createWorker: createTask response -> the handler is running. */
async function sdkStartLatency(ctx: BenchContext): Promise<LatencySummary> {
  const { config } = ctx;
  const projectId = await createProject(ctx.pool, `bench-sdk-w2-${Date.now()}`);
  const started = new Map<string, number>();
  let notify: (() => void) | null = null;
  const worker = createWorker({
    url: ctx.server.url,
    token: BENCH_ADMIN_TOKEN,
    projectId,
    concurrency: 1,
    handleSignals: false,
    handler: (task) => {
      started.set(task.id, performance.now());
      notify?.();
      return null;
    },
  });
  worker.on('error', () => {});
  const sample = async (): Promise<number | null> => {
    const { createTask } = await ctx.http.request<{ createTask: { id: string } }>(CREATE_TASK, { input: { projectId, title: 'sdk w2 task' } });
    const created = performance.now();
    if (!started.has(createTask.id)) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 10_000);
        notify = () => started.has(createTask.id) && (clearTimeout(timer), resolve());
      });
      notify = null;
    }
    const at = started.get(createTask.id);
    return at === undefined ? null : at - created;
  };
  try {
    for (let i = 0; i < 20; i++) await sample(); // warm-up
    const perRun: LatencySummary[] = [];
    for (let run = 1; run <= config.runs; run++) {
      progress(`SDK W2 run ${run}/${config.runs}: ${config.latencySamples} samples`);
      const samples: number[] = [];
      for (let i = 0; i < config.latencySamples; i++) {
        const s = await sample();
        if (s === null) throw new Error(`SDK W2: sample ${i}: the handler did not start within 10 s`);
        samples.push(s);
      }
      perRun.push(latencySummary(samples));
    }
    const p = (k: 'p50' | 'p95' | 'p99') => spread(perRun.map((r) => r[k]));
    log(
      table(`SDK W2: createTask response -> createWorker handler running, ${config.latencySamples} samples per run, median of ${config.runs} run(s) (min-max)`, ['p50', 'p95', 'p99'], [
        [withSpread(p('p50'), ms), withSpread(p('p95'), ms), withSpread(p('p99'), ms)],
      ]),
    );
    return { ...perRun[0]!, p50: p('p50').median, p95: p('p95').median, p99: p('p99').median };
  } finally {
    await worker.close({ force: true });
  }
}
