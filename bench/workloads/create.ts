import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { Client, Pool } from 'pg';
import type { BenchContext, Meters, SummaryRow, WorkloadResult } from '../context';
import { metered } from '../context';
import { createProject, truncateTasks } from '../seed';
import { CREATE_TASK, CREATE_TASKS } from '../operations';
import { HttpGql } from '../workers-http';
import { latencySummary, median, ratio, spread, Spread } from '../stats';
import { log, ms, num, progress, table, withSpread } from '../report';

/**
 * Create: how fast producers get tasks in, against raw SQL measured in the same run.
 *
 * (1) 20 concurrent producers, one createTask per call (HTTP keep-alive), vs 20 connections doing
 *     plain single-row autocommit inserts into a minimal table (id, project, title, created_at).
 * (2) one producer, serial createTask: latency p50, vs one connection's single-row insert.
 * (3) createTasks of 1,000 independent tasks, and of a 1,000-task DAG (keys, 100 layers of 10,
 *     each task depending on every task of the layer before: 9,900 edges), vs a multi-row insert
 *     of 1,000 rows into the minimal table.
 * Server and PostgreSQL CPU per created task for each API variant (bench/cpu.ts).
 */
const PRODUCERS = 20;
const BATCH = 1_000;
const LAYER = 10;

const MINIMAL_TABLE = `
  create table if not exists bench_create_minimal (
    id uuid primary key default gen_random_uuid(),
    project_id uuid not null,
    title text not null,
    created_at timestamptz not null default now()
  )`;
const RAW_INSERT = 'insert into bench_create_minimal (project_id, title) values ($1, $2)';
const RAW_INSERT_MANY = 'insert into bench_create_minimal (project_id, title) select $1, unnest($2::text[])';

interface Measured extends Meters {
  tasks: number;
  seconds: number;
}

interface Figure {
  label: string;
  /** tasks/s, or latency ms for the serial figures. */
  value: Spread;
  runs: Measured[];
  api: boolean;
}

export async function create(ctx: BenchContext): Promise<WorkloadResult> {
  const { config, pool } = ctx;
  const agent = new http.Agent({ keepAlive: true, maxSockets: PRODUCERS + 2, maxFreeSockets: PRODUCERS + 2 });
  const api = new HttpGql(ctx.server.url, agent);
  await pool.query(MINIMAL_TABLE);
  const concurrentTasks = config.quick ? 2_000 : 5_000;
  const serialSamples = config.quick ? 200 : 500;
  const batchCalls = config.quick ? 3 : 5;
  const clients = await openProducers(pool.options.connectionString!);
  try {
    const projectId = await createProject(pool, `bench-create-${Date.now()}`);
    const reset = async () => {
      await truncateTasks(pool);
      await pool.query('truncate bench_create_minimal');
    };

    // Warm-up (not recorded): JIT, pools, prepared statements on both sides.
    await reset();
    await concurrentApi(api, projectId, 400);
    await concurrentRaw(clients, projectId, 400);
    await api.request(CREATE_TASKS, { inputs: independent(projectId, BATCH, 'warm') });
    await api.request(CREATE_TASKS, { inputs: layered(projectId, BATCH, 'warm') });

    const results = {
      apiConcurrent: [] as Measured[],
      emptyConcurrent: [] as Measured[],
      rawConcurrent: [] as Measured[],
      apiSerial: [] as number[][],
      rawSerial: [] as number[][],
      emptySerial: [] as number[][],
      apiBatch: [] as Measured[],
      apiDag: [] as Measured[],
      rawBatch: [] as Measured[],
    };
    for (let run = 1; run <= config.runs; run++) {
      progress(`Create run ${run}/${config.runs}: ${PRODUCERS} producers x createTask, ${concurrentTasks} tasks; raw inserts`);
      await reset();
      results.apiConcurrent.push(await measure(ctx, concurrentTasks, () => concurrentApi(api, projectId, concurrentTasks)));
      results.emptyConcurrent.push(await measure(ctx, concurrentTasks, () => producers(concurrentTasks, () => api.request('{ __typename }'))));
      await reset();
      results.rawConcurrent.push(await measure(ctx, concurrentTasks, () => concurrentRaw(clients, projectId, concurrentTasks)));

      progress(`Create run ${run}/${config.runs}: serial createTask vs raw insert, ${serialSamples} each`);
      await reset();
      results.apiSerial.push(await serialApi(api, projectId, serialSamples));
      results.rawSerial.push(await serialRaw(pool, projectId, serialSamples));
      results.emptySerial.push(await serialEmpty(api, serialSamples));

      progress(`Create run ${run}/${config.runs}: createTasks of ${BATCH} (independent, DAG) x ${batchCalls}; raw multi-row insert`);
      await reset();
      results.apiBatch.push(await measure(ctx, BATCH * batchCalls, () => batches(batchCalls, (k) => api.request(CREATE_TASKS, { inputs: independent(projectId, BATCH, `r${run}c${k}`) }))));
      results.apiDag.push(await measure(ctx, BATCH * batchCalls, () => batches(batchCalls, (k) => api.request(CREATE_TASKS, { inputs: layered(projectId, BATCH, `r${run}c${k}`) }))));
      results.rawBatch.push(
        await measure(ctx, BATCH * batchCalls, () =>
          batches(batchCalls, (k) => pool.query(RAW_INSERT_MANY, [projectId, Array.from({ length: BATCH }, (_, i) => `raw ${k}-${i}`)])),
        ),
      );
    }
    await reset();

    const rate = (runs: Measured[]) => spread(runs.map((r) => r.tasks / r.seconds));
    const p50 = (runs: number[][]) => spread(runs.map((r) => latencySummary(r).p50));
    const figures: Figure[] = [
      { label: `(1) API: ${PRODUCERS} producers, createTask per call (HTTP)`, value: rate(results.apiConcurrent), runs: results.apiConcurrent, api: true },
      { label: `(1) raw SQL: ${PRODUCERS} connections, single-row insert (minimal table)`, value: rate(results.rawConcurrent), runs: results.rawConcurrent, api: false },
      { label: `(3) API: createTasks of ${BATCH} independent tasks`, value: rate(results.apiBatch), runs: results.apiBatch, api: true },
      { label: `(3) API: createTasks of a ${BATCH}-task DAG (layers of ${LAYER}, keys)`, value: rate(results.apiDag), runs: results.apiDag, api: true },
      { label: `(3) raw SQL: multi-row insert of ${BATCH} rows (minimal table)`, value: rate(results.rawBatch), runs: results.rawBatch, api: false },
    ];
    const tps = (i: number) => figures[i]!.value.median;
    const apiP50 = p50(results.apiSerial);
    const rawP50 = p50(results.rawSerial);
    const emptyP50 = p50(results.emptySerial);
    const concurrentRatio = ratio(tps(0), tps(1));
    const serialRatio = ratio(apiP50.median, rawP50.median);

    log(
      table(
        `Create: task creation, median of ${config.runs} run(s) (min-max)`,
        ['variant', 'tasks/s', 'server CPU ms/task', 'postgres CPU ms/task', 'ratio', 'target'],
        [
          ...figures.map((f, i) => [
            f.label,
            withSpread(f.value),
            f.api ? num(median(f.runs.map((r) => (r.cpu.serverCpu / r.tasks) * 1000)), 3) : '-',
            num(median(f.runs.map((r) => (r.cpu.postgresCpu / r.tasks) * 1000)), 3),
            i === 0 ? `${num(concurrentRatio, 2)}x raw` : i === 2 || i === 3 ? `${num(ratio(tps(i), tps(4)), 2)}x raw batch` : '-',
            i === 0 ? '>= 1.0x' : i === 2 ? '>= 20,000/s' : i === 3 ? '>= 10,000/s' : '-',
          ]),
          // The ceiling over (1): requests that do nothing, from the same 20 producers.
          (() => {
            const empty = results.emptyConcurrent;
            const r = rate(empty);
            return [
              `(1) info: ${PRODUCERS} producers, empty query { __typename } (HTTP)`,
              withSpread(r),
              num(median(empty.map((e) => (e.cpu.serverCpu / e.tasks) * 1000)), 3),
              num(median(empty.map((e) => (e.cpu.postgresCpu / e.tasks) * 1000)), 3),
              `${num(ratio(r.median, tps(1)), 2)}x raw`,
              '-',
            ];
          })(),
          [`(2) API: serial createTask, p50 latency`, withSpread(apiP50, ms), '-', '-', `${num(serialRatio, 2)}x raw`, '<= 1.5x'],
          [`(2) raw SQL: serial single-row autocommit insert, p50`, withSpread(rawP50, ms), '-', '-', '-', '-'],
          // What any GraphQL call over HTTP costs before it does anything: the floor under (2).
          [`(2) info: serial empty query { __typename } over HTTP, p50`, withSpread(emptyP50, ms), '-', '-', `${num(ratio(emptyP50.median, rawP50.median), 2)}x raw`, '-'],
        ],
      ),
    );

    const summary: SummaryRow[] = [
      { workload: 'Create', figure: `(1) ${PRODUCERS} producers createTask / raw single-row inserts`, value: `${num(concurrentRatio, 2)}x (${num(tps(0))} vs ${num(tps(1))} tasks/s)`, target: '>= 1.0x', pass: concurrentRatio >= 1.0 },
      { workload: 'Create', figure: '(2) serial createTask p50 / raw insert p50', value: `${num(serialRatio, 2)}x (${ms(apiP50.median)} vs ${ms(rawP50.median)})`, target: '<= 1.5x', pass: serialRatio <= 1.5 },
      { workload: 'Create', figure: `(3) createTasks of ${BATCH} independent`, value: `${num(tps(2))} tasks/s (raw multi-row ${num(tps(4))} rows/s)`, target: '>= 20,000/s', pass: tps(2) >= 20_000 },
      { workload: 'Create', figure: `(3) createTasks of a ${BATCH}-task DAG`, value: `${num(tps(3))} tasks/s`, target: '>= 10,000/s', pass: tps(3) >= 10_000 },
    ];
    return {
      name: 'Create',
      data: {
        producers: PRODUCERS,
        batch: BATCH,
        figures: figures.map((f) => ({ label: f.label, value: f.value, runs: f.runs })),
        emptyConcurrent: { value: rate(results.emptyConcurrent), runs: results.emptyConcurrent },
        serial: { api: apiP50, raw: rawP50, empty: emptyP50 },
      },
      summary,
    };
  } finally {
    agent.destroy();
    await Promise.all(clients.map((c) => c.end().catch(() => {})));
    await pool.query('drop table if exists bench_create_minimal').catch(() => {});
  }
}

async function measure(ctx: BenchContext, tasks: number, work: () => Promise<unknown>): Promise<Measured> {
  const started = performance.now();
  const { meters } = await metered(ctx, work);
  return { tasks, seconds: (performance.now() - started) / 1000, ...meters };
}

async function batches(calls: number, one: (k: number) => Promise<unknown>): Promise<void> {
  for (let k = 0; k < calls; k++) await one(k);
}

/** PRODUCERS loops sharing a counter: each takes the next task number until `total` are sent. */
async function producers(total: number, one: (n: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: PRODUCERS }, async () => {
      for (let n = next++; n < total; n = next++) await one(n);
    }),
  );
}

function concurrentApi(api: HttpGql, projectId: string, total: number): Promise<void> {
  return producers(total, (n) => api.request(CREATE_TASK, { input: { projectId, title: `bench task ${n}` } }));
}

/** PRODUCERS connections of their own (the bench pool is smaller, and the meters use it). */
async function openProducers(url: string): Promise<Client[]> {
  return Promise.all(
    Array.from({ length: PRODUCERS }, async () => {
      const c = new Client({ connectionString: url });
      await c.connect();
      return c;
    }),
  );
}

async function concurrentRaw(clients: Client[], projectId: string, total: number): Promise<void> {
  let next = 0;
  await Promise.all(
    clients.map(async (c) => {
      for (let n = next++; n < total; n = next++) await c.query(RAW_INSERT, [projectId, `raw task ${n}`]);
    }),
  );
}

async function serialApi(api: HttpGql, projectId: string, samples: number): Promise<number[]> {
  const out: number[] = [];
  for (let n = 0; n < samples; n++) {
    const t0 = performance.now();
    await api.request(CREATE_TASK, { input: { projectId, title: `serial ${n}` } });
    out.push(performance.now() - t0);
  }
  return out;
}

async function serialEmpty(api: HttpGql, samples: number): Promise<number[]> {
  const out: number[] = [];
  for (let n = 0; n < samples; n++) {
    const t0 = performance.now();
    await api.request('{ __typename }');
    out.push(performance.now() - t0);
  }
  return out;
}

async function serialRaw(pool: Pool, projectId: string, samples: number): Promise<number[]> {
  const c = await pool.connect();
  try {
    const out: number[] = [];
    for (let n = 0; n < samples; n++) {
      const t0 = performance.now();
      await c.query(RAW_INSERT, [projectId, `serial raw ${n}`]);
      out.push(performance.now() - t0);
    }
    return out;
  } finally {
    c.release();
  }
}

function independent(projectId: string, n: number, tag: string) {
  return Array.from({ length: n }, (_, i) => ({ projectId, title: `batch ${tag} ${i}` }));
}

/** 1,000 tasks in layers of 10; each task depends (dependencyKeys) on every task of the layer before. */
function layered(projectId: string, n: number, tag: string) {
  return Array.from({ length: n }, (_, i) => {
    const layer = Math.floor(i / LAYER);
    return {
      projectId,
      title: `dag ${tag} ${i}`,
      key: `k${i}`,
      dependencyKeys: layer === 0 ? [] : Array.from({ length: LAYER }, (_, j) => `k${(layer - 1) * LAYER + j}`),
    };
  });
}
