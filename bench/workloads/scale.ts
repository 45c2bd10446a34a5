import { performance } from 'node:perf_hooks';
import type { BenchContext, SummaryRow, WorkloadResult } from '../context';
import { metered } from '../context';
import { analyze, buildGraph, createProject, insertCompletedHistory, insertGraph, insertReadyTasks, truncateTasks } from '../seed';
import { CLAIM_NEXT, COMPLETE, ClaimNextData, DETECT_DEADLOCKS } from '../operations';
import { latencySummary, LatencySummary, median, percentile, ratio, spread, Spread } from '../stats';
import { createBenchDatabase, openPool } from '../database';
import { ServerProcess } from '../server-process';
import { HttpGql } from '../workers-http';
import type { Pool } from 'pg';
import { log, ms, num, progress, table, withSpread } from '../report';

/**
 * Scale: does history slow the hot path, and do the whole-project queries stay interactive?
 *
 * 1. claim+complete latency (one worker, GraphQL over HTTP) with `scaleReady` READY tasks in the
 *    table vs `scaleRows` rows in one project of which all but `scaleReady` are COMPLETED
 *    (bulk-inserted with generate_series, created over 90 days, VACUUM ANALYZE after).
 * 2. dependencyGraph(projectId) of a `graphTasks` project of chains and diamonds (if the API
 *    has it yet: another engineer is adding it), and detectDeadlocks of a `deadlockTasks`
 *    project (with a few FAILED roots and one cycle, so there is something to report).
 */
export async function scale(ctx: BenchContext): Promise<WorkloadResult & { memoryPeakMb: number }> {
  const { config, pool } = ctx;
  let memoryPeakMb = 0;

  // --- claim+complete latency, small table vs big table ---
  // Two databases, two servers, alive together: samples alternate between them pair by pair, so
  // load from anything else on the machine falls on both sides alike (a sequential "small, then
  // big" comparison measured the neighbours as much as the table size).
  progress(`scale: ${num(config.scaleReady)} READY tasks in the main database`);
  await truncateTasks(pool);
  const smallProject = await createProject(pool, `bench-scale-small-${Date.now()}`);
  await insertReadyTasks(pool, smallProject, config.scaleReady);
  await analyze(pool, true);

  const bigDb = await createBenchDatabase(ctx.adminUrl, 'scale');
  let bigServer: ServerProcess | null = null;
  const bigPool = openPool(bigDb.url, 2);
  const release = async () => {
    await bigPool.end().catch(() => {});
    await bigServer?.stop();
    await bigDb.drop();
  };
  ctx.cleanups.add(release);
  let small: PhaseResult;
  let big: PhaseResult;
  let insertSeconds: number;
  try {
    bigServer = await ServerProcess.start(bigDb.url, config.serverNodeArgs);
    const bigHttp = new HttpGql(bigServer.url, ctx.agent);
    progress(`scale: inserting ${num(config.scaleRows - config.scaleReady)} COMPLETED rows (+${num(config.scaleReady)} READY) into ${bigDb.name}`);
    const insertStart = performance.now();
    const bigProject = await createProject(bigPool, `bench-scale-big-${Date.now()}`);
    await insertCompletedHistory(bigPool, bigProject, config.scaleRows - config.scaleReady, (n) => progress(`scale: ${num(n)} history rows`));
    await insertReadyTasks(bigPool, bigProject, config.scaleReady);
    await analyze(bigPool, true);
    insertSeconds = (performance.now() - insertStart) / 1000;

    const sides = [
      { http: ctx.http, projectId: smallProject, samples: [] as number[][] },
      { http: bigHttp, projectId: bigProject, samples: [] as number[][] },
    ];
    for (const side of sides) for (let i = 0; i < 50; i++) await pair(side.http, side.projectId); // warm-up
    progress(`scale: ${config.scaleSamples} claim+complete pairs x ${config.runs} run(s), alternating small/big`);
    for (let run = 0; run < config.runs; run++) {
      for (const side of sides) side.samples.push([]);
      for (let i = 0; i < config.scaleSamples; i++) {
        for (const side of i % 2 ? [...sides].reverse() : sides) side.samples[run]!.push(await pair(side.http, side.projectId));
      }
    }
    const rowsOf = async (p: Pool) => (await p.query<{ n: number }>('select count(*)::int as n from task')).rows[0]!.n;
    const summarise = async (side: (typeof sides)[number], p: Pool): Promise<PhaseResult> => ({
      rows: await rowsOf(p),
      p50: spread(side.samples.map((s) => percentile(s, 50))),
      all: latencySummary(side.samples.flat()),
    });
    small = await summarise(sides[0]!, pool);
    big = await summarise(sides[1]!, bigPool);
  } finally {
    ctx.cleanups.delete(release);
    await release();
  }
  const latencyRatio = ratio(big.p50.median, small.p50.median);
  log(
    table(
      `Scale: claim+complete latency, one worker over HTTP, ${config.scaleSamples} samples x ${config.runs} run(s) per table, alternating`,
      ['table', 'rows', 'p50 (median of runs)', 'p95 (all)', 'p99 (all)'],
      [
        [`${num(config.scaleReady)} READY`, num(small.rows), withSpread(small.p50, ms), ms(small.all.p95), ms(small.all.p99)],
        [`${num(config.scaleRows)} (all but ${num(config.scaleReady)} COMPLETED)`, num(big.rows), withSpread(big.p50, ms), ms(big.all.p95), ms(big.all.p99)],
        ['ratio big/small (target <= 1.3)', '-', `${num(latencyRatio, 2)}x`, '-', '-'],
      ],
    ) + `\n(bulk insert + VACUUM ANALYZE of the big table: ${num(insertSeconds, 1)} s, not measured; each table has its own database and server)`,
  );
  await truncateTasks(pool);

  // --- whole-project queries ---
  const graphQuery = await dependencyGraphQuery(ctx);
  let graphTimes: number[] | null = null;
  let graphBytes = 0;
  if (graphQuery) {
    const projectId = await createProject(pool, `bench-graph-${Date.now()}`);
    await insertGraph(pool, projectId, buildGraph(config.graphTasks));
    await analyze(pool);
    progress(`scale: dependencyGraph of ${config.graphTasks} tasks`);
    const m = await metered(ctx, () => timeQuery(ctx, graphQuery, { projectId }));
    graphTimes = m.result.times;
    graphBytes = m.result.bytes;
    memoryPeakMb = Math.max(memoryPeakMb, m.meters.memory.hwmMb);
  }
  const deadlockProject = await createProject(pool, `bench-deadlocks-${Date.now()}`);
  progress(`scale: detectDeadlocks of ${config.deadlockTasks} tasks`);
  await insertGraph(pool, deadlockProject, buildGraph(config.deadlockTasks, { failedRoots: 10, cycle: true }));
  await analyze(pool);
  const dl = await metered(ctx, () => timeQuery(ctx, DETECT_DEADLOCKS, { projectId: deadlockProject }));
  memoryPeakMb = Math.max(memoryPeakMb, dl.meters.memory.hwmMb);
  const report = dl.result.data as { detectDeadlocks: { cycles: string[][]; stalled: unknown[] } };
  await truncateTasks(pool);

  const graphMedian = graphTimes ? median(graphTimes) : NaN;
  const deadlockMedian = median(dl.result.times);
  log(
    table(
      'Scale: whole-project queries over GraphQL/HTTP (median of 3 after 1 warm-up; response parsed)',
      ['query', 'tasks', 'median', 'runs', 'response', 'target', ''],
      [
        graphTimes
          ? [`dependencyGraph`, num(config.graphTasks), ms(graphMedian), graphTimes.map((t) => t.toFixed(0)).join(' / '), `${num(graphBytes / 1024)} KiB`, '< 500 ms', graphMedian < 500 ? 'pass' : 'FAIL']
          : ['dependencyGraph', num(config.graphTasks), 'not available', '-', '-', '< 500 ms', '-'],
        [
          `detectDeadlocks (${report.detectDeadlocks.cycles.length} cycle(s), ${report.detectDeadlocks.stalled.length} stalled)`,
          num(config.deadlockTasks),
          ms(deadlockMedian),
          dl.result.times.map((t) => t.toFixed(0)).join(' / '),
          `${num(dl.result.bytes / 1024)} KiB`,
          '< 2000 ms',
          deadlockMedian < 2000 ? 'pass' : 'FAIL',
        ],
      ],
    ),
  );

  const summary: SummaryRow[] = [
    {
      workload: 'Scale',
      figure: `claim+complete p50 ${num(config.scaleRows)} / ${num(config.scaleReady)} rows`,
      value: `${num(latencyRatio, 2)}x (${ms(big.p50.median)} vs ${ms(small.p50.median)})`,
      target: '<= 1.3x',
      pass: latencyRatio <= 1.3,
    },
    graphTimes
      ? { workload: 'Scale', figure: `dependencyGraph, ${num(config.graphTasks)} tasks`, value: ms(graphMedian), target: '< 500 ms', pass: graphMedian < 500 }
      : { workload: 'Scale', figure: `dependencyGraph, ${num(config.graphTasks)} tasks`, value: 'not available', target: '< 500 ms', pass: null },
    { workload: 'Scale', figure: `detectDeadlocks, ${num(config.deadlockTasks)} tasks`, value: ms(deadlockMedian), target: '< 2000 ms', pass: deadlockMedian < 2000 },
  ];
  return {
    name: 'Scale',
    data: {
      claimComplete: { small, big, ratio: latencyRatio, bigInsertSeconds: insertSeconds },
      dependencyGraph: graphTimes ? { tasks: config.graphTasks, timesMs: graphTimes, medianMs: graphMedian, responseBytes: graphBytes, query: graphQuery } : 'not available',
      detectDeadlocks: {
        tasks: config.deadlockTasks,
        timesMs: dl.result.times,
        medianMs: deadlockMedian,
        responseBytes: dl.result.bytes,
        cycles: report.detectDeadlocks.cycles.length,
        stalled: report.detectDeadlocks.stalled.length,
      },
    },
    summary,
    memoryPeakMb,
  };
}

interface PhaseResult {
  rows: number;
  p50: Spread;
  all: LatencySummary;
}

/** One claim+complete pair, timed from the claim sent to the completion returned (ms). */
async function pair(api: HttpGql, projectId: string): Promise<number> {
  const t0 = performance.now();
  const { claimNextTask } = await api.request<ClaimNextData>(CLAIM_NEXT, { projectId, workerId: 'scale-worker' });
  if (!claimNextTask) throw new Error('scale: ran out of READY tasks');
  await api.request(COMPLETE, { id: claimNextTask.id, workerId: 'scale-worker' });
  return performance.now() - t0;
}

async function timeQuery(ctx: BenchContext, query: string, variables: Record<string, unknown>): Promise<{ times: number[]; bytes: number; data: unknown }> {
  let data: unknown = await ctx.http.request(query, variables); // warm-up
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    data = await ctx.http.request(query, variables);
    times.push(performance.now() - t0);
  }
  return { times, bytes: Buffer.byteLength(JSON.stringify(data)), data };
}

interface IntroField {
  name: string;
  args?: { name: string }[];
  type: IntroType;
}
interface IntroType {
  kind: string;
  name: string | null;
  ofType: IntroType | null;
}

// Deep enough for [[ID!]!]! (NON_NULL > LIST > NON_NULL > LIST > NON_NULL > SCALAR) and then some.
const TYPE_REF = 'kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } }';

/**
 * dependencyGraph is being added by another engineer: find out at run time whether it exists and
 * what it returns, and select the contract's fields that it has (DESIGN.md: nodes, edges, levels,
 * criticalPath, cycles; nodes as id/title/status, what a graph view draws). Export formats the
 * type may also offer (DOT, Mermaid text) are not part of the figure. Null when the API has no
 * such query yet.
 */
async function dependencyGraphQuery(ctx: BenchContext): Promise<string | null> {
  const { __schema } = await ctx.http.request<{ __schema: { queryType: { fields: IntroField[] } } }>(
    `{ __schema { queryType { fields { name args { name } type { ${TYPE_REF} } } } } }`,
  );
  const field = __schema.queryType.fields.find((f) => f.name === 'dependencyGraph');
  if (!field || !field.args?.some((a) => a.name === 'projectId')) return null;
  const selection = await selectionFor(ctx, named(field.type), 0);
  return `query Graph($projectId: ID!) { dependencyGraph(projectId: $projectId) ${selection} }`;
}

function named(t: IntroType): IntroType {
  let cur = t;
  while (cur.ofType) cur = cur.ofType;
  return cur;
}

const PREFERRED_LEAVES = ['id', 'status', 'title', 'from', 'to', 'taskId'];
const CONTRACT_FIELDS = ['nodes', 'edges', 'levels', 'criticalPath', 'criticalPathMinutes', 'cycles'];

async function selectionFor(ctx: BenchContext, type: IntroType, depth: number): Promise<string> {
  if (type.kind !== 'OBJECT') return '';
  const { __type } = await ctx.http.request<{ __type: { fields: IntroField[] } }>(
    `query T($name: String!) { __type(name: $name) { fields { name args { name } type { ${TYPE_REF} } } } }`,
    { name: type.name },
  );
  const fields = __type.fields.filter((f) => !f.args?.length && (depth > 0 || CONTRACT_FIELDS.includes(f.name)));
  const leaves = fields.filter((f) => ['SCALAR', 'ENUM'].includes(named(f.type).kind));
  const objects = fields.filter((f) => named(f.type).kind === 'OBJECT');
  // Top level: everything. Nested objects (nodes: Task, edges): the identifying leaves only.
  const chosenLeaves = depth === 0 ? leaves : leaves.filter((f) => PREFERRED_LEAVES.includes(f.name));
  const parts = (chosenLeaves.length ? chosenLeaves : leaves.slice(0, 3)).map((f) => f.name);
  if (depth === 0) for (const o of objects) parts.push(`${o.name} ${await selectionFor(ctx, named(o.type), depth + 1)}`);
  if (parts.length === 0) parts.push('__typename');
  return `{ ${parts.join(' ')} }`;
}
