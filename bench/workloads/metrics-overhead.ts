import { performance } from 'node:perf_hooks';
import type { BenchContext, SummaryRow, WorkloadResult } from '../context';
import { analyze, createProject, insertReadyTasks, truncateTasks } from '../seed';
import { perTaskWorker, runWorkers } from '../worker-loops';
import { WsGql } from '../workers-ws';
import { ServerProcess } from '../server-process';
import { ratio, spread, Spread } from '../stats';
import { log, num, progress, table, withSpread } from '../report';

/**
 * Metrics overhead: W1 (b) (claim + complete per task over graphql-ws, the fastest per-task
 * path) against the bench's server (metrics on, /metrics scraped every second, 15x Prometheus'
 * default rate) and against a second server on the same database with METRICS_PORT=off, in
 * alternation within one run so drift spreads over both. Target: on >= 0.95x off.
 */
const SCRAPE_MS = 1_000;

export async function metricsOverhead(ctx: BenchContext): Promise<WorkloadResult> {
  const { config, pool } = ctx;
  const W = config.workers;
  if (ctx.server.metricsPort === null) throw new Error('the bench server runs without metrics');
  const off = await ServerProcess.start(ctx.databaseUrl, config.serverNodeArgs, { METRICS_PORT: 'off' });
  const stopOff = () => off.stop();
  ctx.cleanups.add(stopOff);
  const wsOn = await Promise.all(Array.from({ length: W }, () => WsGql.connect(ctx.server.wsUrl)));
  const wsOff = await Promise.all(Array.from({ length: W }, () => WsGql.connect(off.wsUrl)));
  let scrapes = 0;
  let scrapeMs = 0;
  const scraper = setInterval(() => {
    const t = performance.now();
    void fetch(`http://127.0.0.1:${ctx.server.metricsPort}/metrics`)
      .then((r) => r.text())
      .then(() => {
        scrapes++;
        scrapeMs += performance.now() - t;
      }, () => {});
  }, SCRAPE_MS);
  try {
    const projectId = await createProject(pool, `bench-metrics-${Date.now()}`);
    const variants = [
      { key: 'on', label: `metrics on (scraped every ${SCRAPE_MS / 1000} s)`, ws: wsOn },
      { key: 'off', label: 'metrics off (METRICS_PORT=off)', ws: wsOff },
    ] as const;
    const prepare = async (n: number) => {
      await truncateTasks(pool);
      await insertReadyTasks(pool, projectId, n);
      await analyze(pool);
    };
    for (const v of variants) {
      await prepare(Math.min(1_000, Math.ceil(config.tasks / 10)));
      await runWorkers(W, (i) => perTaskWorker(v.ws[i]!, projectId, `warm-${v.key}-${i}`, performance.now() + 10_000));
    }
    const tps: Record<'on' | 'off', number[]> = { on: [], off: [] };
    for (let run = 1; run <= config.runs; run++) {
      // Alternate which goes first, so neither always gets the fresher machine.
      for (const v of run % 2 === 1 ? variants : [...variants].reverse()) {
        await prepare(config.tasks);
        progress(`Metrics run ${run}/${config.runs}: ${v.label}, ${config.tasks} tasks`);
        const r = await runWorkers(W, (i) => perTaskWorker(v.ws[i]!, projectId, `m-${v.key}-${i}`, performance.now() + config.variantSeconds * 1000));
        tps[v.key].push(r.tasksPerSecond);
      }
    }
    await truncateTasks(pool);
    const on: Spread = spread(tps.on);
    const offSpread: Spread = spread(tps.off);
    const r = ratio(on.median, offSpread.median);
    log(
      table(
        `Metrics overhead: W1 (b) graphql-ws per task, ${config.tasks} tasks, ${W} workers, median of ${config.runs} run(s); /metrics scraped ${scrapes} times, ${num(scrapes ? scrapeMs / scrapes : NaN, 1)} ms each`,
        ['variant', 'tasks/s', 'ratio'],
        [
          [variants[0].label, withSpread(on), `${num(r, 3)}x off`],
          [variants[1].label, withSpread(offSpread), '-'],
        ],
      ),
    );
    const summary: SummaryRow[] = [
      { workload: 'Metrics', figure: 'W1 (b) with metrics on / off, same run', value: `${num(r, 3)}x (${num(on.median)} vs ${num(offSpread.median)} tasks/s)`, target: '>= 0.95x', pass: r >= 0.95 },
    ];
    return { name: 'Metrics overhead', data: { on, off: offSpread, ratio: r, scrapes, scrapeMsMean: scrapes ? scrapeMs / scrapes : null }, summary };
  } finally {
    clearInterval(scraper);
    await Promise.all([...wsOn, ...wsOff].map((c) => c.close()));
    await stopOff();
    ctx.cleanups.delete(stopOff);
  }
}
