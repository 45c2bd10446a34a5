import os from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Pool } from 'pg';
import type { BenchContext, SummaryRow, WorkloadResult } from '../context';
import { claimBindings, claimStatement } from '../../src/persistence/sql/claim.sql';
import { analyze, createProject, insertReadyTasks, truncateTasks } from '../seed';
import { positional, RAW_COMPLETE_SQL } from '../raw-sql';
import { perTaskWorker, runWorkers, WorkersResult } from '../worker-loops';
import { WsGql } from '../workers-ws';
import { ratio, spread, Spread } from '../stats';
import { log, num, progress, table, withSpread } from '../report';

/**
 * Flow (issue #16): what concurrency keys and pause cost the claim, and how fast a bulk cancel is.
 *
 * - W1 per task over graphql-ws (W1's variant (b)) on a project without limits, and on one
 *   whose every task has a concurrency key whose limit is never reached (2 x workers): the claim
 *   then takes the limit rows' lock and counts, one claim statement at a time per project.
 * - The same key at a limit of workers / 2: informational (half the workers find no place).
 * - Raw SQL per task, the claim statement as it was before flow control vs as it is now, on a
 *   project without limits: the no-limit path's own cost, without the layers above it (the
 *   target: W1 without keys slows by no more than 5%).
 * - cancelTasks through the API on a project of `bulkTasks` READY tasks, and retryTasks on one of
 *   `bulkTasks` FAILED tasks, each with one claimer on the project meanwhile (how many claims it
 *   got answered, the slowest, and the load average before: the machine may be shared).
 * Variants alternate within a run, from the same state (task tables emptied before each).
 */
type Key = 'apiPlain' | 'apiKeyed' | 'apiLimited' | 'rawBefore' | 'rawNow';

/** The claim statement before flow control (main at 79d491b), one claimer's slots, returning the id. */
const CLAIM_BEFORE_SQL = positional(`
    with slots as (
      select * from unnest(?::text[], ?::float8[], ?::uuid[]) with ordinality as s(worker_id, lease, token_id, n)
    ), picked as (
      select id, status, effective_priority, seq from task
      where project_id = ?
        and status in ('READY', 'RETRYING')
        and (status = 'READY' or available_at <= now())
      order by effective_priority desc, seq
      limit ?
      for update skip locked
    ), next as (
      select id, status, row_number() over (order by effective_priority desc, seq) as n from picked
    ), claimed as (
      update task t
         set status = 'RUNNING', worker_id = slots.worker_id, claimed_by_token_id = slots.token_id, lease_expires_at = now() + make_interval(secs => slots.lease),
             started_at = now(), updated_at = now(), available_at = null, attempt = t.attempt + 1
        from next join slots on slots.n = next.n
       where t.id = next.id
      returning t.*, next.status as previous_status, next.n as claim_slot
    ), logged as (
      insert into task_event (task_id, project_id, previous_status, status)
      select id, project_id, previous_status, 'RUNNING' from claimed order by claim_slot
    )
    select id, claim_slot from claimed order by claim_slot`);

const CLAIM_NOW_SQL = positional(claimStatement(false, ['id']).text);

function rawClaimWorker(pool: Pool, projectId: string, workerId: string, which: 'before' | 'now', until: number): Promise<number> {
  const text = which === 'before' ? CLAIM_BEFORE_SQL : CLAIM_NOW_SQL;
  const values = which === 'before' ? [[workerId], [30], [null], projectId, 1] : claimBindings({ workers: [workerId], leases: [30], tokens: [null] }, projectId, null);
  return (async () => {
    const c = await pool.connect();
    try {
      // As the server runs its claims (src/persistence/orm-config.ts): one generic plan, not a
      // fresh plan per call. With PostgreSQL's default (auto), both statements were re-planned
      // on every call here, and the ratio measured the bigger statement's planning (0.77x),
      // which the server never pays.
      await c.query('set plan_cache_mode = force_generic_plan');
      let done = 0;
      while (performance.now() < until) {
        const { rows } = await c.query<{ id: string | null }>({ name: `flow_claim_${which}`, text, values });
        if (rows.length === 0) return done;
        // The statement's "try again" row (claim_slot 0, a null id): rows locked by another worker.
        if (rows[0]!.id === null) continue;
        await c.query(RAW_COMPLETE_SQL, [rows[0]!.id, null]);
        done++;
      }
      return done;
    } finally {
      await c.query('reset plan_cache_mode').catch(() => {});
      c.release();
    }
  })();
}

interface BulkRun {
  action: 'cancel' | 'retry';
  seconds: number;
  /** Claims answered on the same project while the call ran, and the slowest of them. */
  claims: number;
  slowestClaimMs: number;
  /** The machine is shared: its 1-minute load average just before the call. */
  loadBefore: number;
}

/** One cancelTasks / retryTasks call over the whole project, timed, with a claimer running alongside. */
async function timeBulk(ctx: BenchContext, projectId: string, action: BulkRun['action'], expected: number): Promise<BulkRun> {
  let running = true;
  let claims = 0;
  let slowestClaimMs = 0;
  const claimer = (async () => {
    while (running) {
      const started = performance.now();
      await ctx.http.request(`mutation($p: ID!) { claimNextTask(projectId: $p, workerId: "bench-bulk-claimer") { id } }`, { p: projectId });
      slowestClaimMs = Math.max(slowestClaimMs, performance.now() - started);
      claims++;
    }
  })();
  const loadBefore = os.loadavg()[0]!;
  const started = performance.now();
  const mutation =
    action === 'cancel'
      ? `mutation($p: ID!) { result: cancelTasks(filter: { projectId: $p }, reason: "bench") { changed } }`
      : `mutation($p: ID!) { result: retryTasks(filter: { projectId: $p }) { changed } }`;
  try {
    const { result } = await ctx.http.request<{ result: { changed: number } }>(mutation, { p: projectId });
    const seconds = (performance.now() - started) / 1000;
    // A retry's claimer may have taken a READY task meanwhile, but never one the call had not retried yet.
    if (result.changed !== expected) throw new Error(`${action}Tasks changed ${result.changed} of ${expected}`);
    return { action, seconds, claims, slowestClaimMs, loadBefore };
  } finally {
    running = false;
    await claimer;
  }
}

export async function flow(ctx: BenchContext): Promise<WorkloadResult> {
  const { config, pool } = ctx;
  const W = config.workers;
  const tasks = Math.min(config.tasks, 10_000);
  const bulkTasks = config.quick ? 20_000 : 100_000;
  const ws = await Promise.all(Array.from({ length: W }, () => WsGql.connect(ctx.server.wsUrl)));
  try {
    const plain = await createProject(pool, `bench-flow-plain-${Date.now()}`);
    const keyed = await createProject(pool, `bench-flow-keyed-${Date.now()}`);
    const limited = await createProject(pool, `bench-flow-limited-${Date.now()}`);
    await pool.query(`insert into concurrency_limit (project_id, key, "limit") values ($1, 'k', $2), ($3, 'k', $4)`, [keyed, 2 * W, limited, Math.max(1, Math.floor(W / 2))]);
    const api = (p: string, tag: string) => (until: number) => runWorkers(W, (i) => perTaskWorker(ws[i]!, p, `${tag}-${i}`, until));
    const variants: { key: Key; label: string; project: string; keyed: boolean; run: (until: number) => Promise<WorkersResult> }[] = [
      { key: 'apiPlain', label: 'API per task (graphql-ws), no keys', project: plain, keyed: false, run: api(plain, 'plain') },
      { key: 'apiKeyed', label: `API per task, every task keyed, limit ${2 * W} (never reached)`, project: keyed, keyed: true, run: api(keyed, 'keyed') },
      { key: 'apiLimited', label: `API per task, every task keyed, limit ${Math.max(1, Math.floor(W / 2))} of ${W} workers`, project: limited, keyed: true, run: api(limited, 'limited') },
      { key: 'rawBefore', label: 'raw SQL per task, claim statement before flow control', project: plain, keyed: false, run: (u) => runWorkers(W, (i) => rawClaimWorker(pool, plain, `rb-${i}`, 'before', u)) },
      { key: 'rawNow', label: 'raw SQL per task, claim statement now (no limits)', project: plain, keyed: false, run: (u) => runWorkers(W, (i) => rawClaimWorker(pool, plain, `rn-${i}`, 'now', u)) },
    ];
    const prepare = async (projectId: string, n: number, withKey: boolean) => {
      await truncateTasks(pool);
      await insertReadyTasks(pool, projectId, n);
      if (withKey) await pool.query(`update task set concurrency_key = 'k' where project_id = $1`, [projectId]);
      await analyze(pool);
    };
    for (const v of variants) {
      await prepare(v.project, Math.min(1_000, tasks), v.keyed);
      await v.run(performance.now() + 10_000);
    }
    const runs = new Map<Key, number[]>(variants.map((v) => [v.key, []]));
    for (let run = 1; run <= config.runs; run++) {
      for (const v of variants) {
        await prepare(v.project, tasks, v.keyed);
        progress(`Flow run ${run}/${config.runs}: ${v.label}, ${tasks} tasks`);
        const r = await v.run(performance.now() + config.variantSeconds * 1000);
        runs.get(v.key)!.push(r.tasksPerSecond);
      }
    }

    // Bulk cancel and retry through the API: one call each, batches of short transactions inside.
    // A claimer on the same project runs meanwhile (what a worker sees during a bulk action).
    const bulk = await createProject(pool, `bench-flow-bulk-${Date.now()}`);
    const bulkRuns: BulkRun[] = [];
    for (let run = 1; run <= config.runs; run++) {
      for (const action of ['cancel', 'retry'] as const) {
        await truncateTasks(pool);
        await insertReadyTasks(pool, bulk, bulkTasks);
        if (action === 'retry') await pool.query(`update task set status = 'FAILED' where project_id = $1`, [bulk]);
        await analyze(pool);
        progress(`Flow run ${run}/${config.runs}: ${action}Tasks on ${bulkTasks} ${action === 'cancel' ? 'READY' : 'FAILED'} tasks`);
        bulkRuns.push(await timeBulk(ctx, bulk, action, bulkTasks));
      }
    }
    await truncateTasks(pool);

    const tps = new Map<Key, Spread>(variants.map((v) => [v.key, spread(runs.get(v.key)!)]));
    const m = (k: Key) => tps.get(k)!.median;
    log(
      table(
        `Flow: ${tasks} no-op tasks, ${W} workers, median of ${config.runs} run(s) (min-max)`,
        ['variant', 'tasks/s', 'vs no keys'],
        variants.map((v) => [v.label, withSpread(tps.get(v.key)!), v.key.startsWith('api') ? `${num(ratio(m(v.key), m('apiPlain')), 2)}x` : v.key === 'rawNow' ? `${num(ratio(m('rawNow'), m('rawBefore')), 2)}x before` : '-']),
      ),
    );
    const bulkOf = (action: BulkRun['action']) => bulkRuns.filter((r) => r.action === action);
    const seconds = (action: BulkRun['action']) => spread(bulkOf(action).map((r) => r.seconds));
    log(
      table(
        `Flow: cancelTasks / retryTasks on ${bulkTasks} tasks (one call each; a claimer on the project meanwhile), median of ${config.runs} run(s) (min-max)`,
        ['action', 'seconds', 'tasks/s', 'claims meanwhile', 'slowest claim ms', 'load average (1 min) before'],
        (['cancel', 'retry'] as const).map((action) => {
          const runs = bulkOf(action);
          const s = seconds(action);
          return [
            `${action}Tasks`,
            withSpread(s, (n) => num(n, 2)),
            num(bulkTasks / s.median),
            runs.map((r) => num(r.claims)).join(' / '),
            runs.map((r) => num(r.slowestClaimMs)).join(' / '),
            runs.map((r) => num(r.loadBefore, 2)).join(' / '),
          ];
        }),
      ),
    );
    const noLimitRatio = ratio(m('rawNow'), m('rawBefore'));
    const summary: SummaryRow[] = [
      { workload: 'Flow', figure: 'claim without limits, now / before flow control (raw SQL per task)', value: `${num(noLimitRatio, 2)}x (${num(m('rawNow'))} vs ${num(m('rawBefore'))} tasks/s)`, target: '>= 0.95x', pass: noLimitRatio >= 0.95 },
      { workload: 'Flow', figure: 'API per task: keyed (limit never reached) / no keys', value: `${num(ratio(m('apiKeyed'), m('apiPlain')), 2)}x (${num(m('apiKeyed'))} vs ${num(m('apiPlain'))} tasks/s)`, target: '-', pass: null },
      { workload: 'Flow', figure: `cancelTasks on ${bulkTasks} tasks`, value: `${num(seconds('cancel').median, 2)} s`, target: '<= 5 s', pass: seconds('cancel').median <= 5 },
      { workload: 'Flow', figure: `retryTasks on ${bulkTasks} tasks`, value: `${num(seconds('retry').median, 2)} s`, target: '<= 5 s', pass: seconds('retry').median <= 5 },
    ];
    return { name: 'Flow', data: { tasks, workers: W, tasksPerSecond: Object.fromEntries(tps), bulkTasks, bulkRuns }, summary };
  } finally {
    await Promise.all(ws.map((c) => c.close()));
  }
}
