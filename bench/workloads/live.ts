import { fork, ChildProcess } from 'node:child_process';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import type { BenchContext, SummaryRow, WorkloadResult } from '../context';
import { metered } from '../context';
import { analyze, createProject, insertReadyTasks, truncateTasks } from '../seed';
import { perTaskWorker, runWorkers } from '../worker-loops';
import { CREATE_TASK } from '../operations';
import { median } from '../stats';
import { log, num, progress, table } from '../report';
import { BENCH_ADMIN_TOKEN } from '../auth';

/**
 * Live: subscriptions at scale, subscribers in a separate process (bench/live-load.ts).
 * (1) W1 per task over HTTP with 0 and with SUBSCRIBERS subscribers to the project's completions,
 *     all with one document (they share one execution per event): throughput ratio, server CPU per
 *     delivered event, delivery checked exactly once and in the same order for every subscriber,
 *     and how long after the last completion the last event arrived.
 * (2) Memory: what IDLE_SUBSCRIBERS idle WebSocket subscribers (one socket each) add to the server's RSS.
 * (3) No thundering herd: IDLE_WORKERS idle workers subscribed to taskReady(delivery: ONE), tasks
 *     created one at a time: claim attempts per task (and, for comparison, with delivery: ALL).
 */
const SUBSCRIBERS = 500;
const IDLE_SUBSCRIBERS = 10_000;
const IDLE_WORKERS = 200;
const COMPLETIONS = `subscription Completions($p: ID, $s: [TaskStatus!]) { taskStatusChanged(projectId: $p, statuses: $s) { taskId } }`;

interface LoadStats {
  subscriptions: number;
  frames: number;
  minCount: number;
  maxCount: number;
  distinctHashes: number;
  firstDistinct: number;
  firstDuplicates: number;
  lastMessageAt: number;
  errors: string[];
}
interface WorkerStats {
  wakes: number;
  claims: number;
  claimed: number;
  completed: number;
  errors: string[];
}

class LoadGenerator {
  private queue: ((m: { ok: boolean; error?: string; stats?: unknown }) => void)[] = [];
  private constructor(private readonly child: ChildProcess) {
    child.on('message', (m) => this.queue.shift()?.(m as never));
  }

  static async start(nodeArgs: string[]): Promise<LoadGenerator> {
    const child = fork(path.resolve(__dirname, '../live-load.js'), [], { execArgv: nodeArgs, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const gen = new LoadGenerator(child);
    await new Promise<void>((resolve) => gen.queue.push(() => resolve()));
    return gen;
  }

  async call<T = unknown>(message: Record<string, unknown>): Promise<T> {
    const reply = await new Promise<{ ok: boolean; error?: string; stats?: unknown }>((resolve) => {
      this.queue.push(resolve);
      this.child.send(message);
    });
    if (!reply.ok) throw new Error(`load generator: ${reply.error}`);
    return reply.stats as T;
  }

  stop(): void {
    this.child.kill();
  }

  /** CPU seconds the load generator used so far (it competes with the server for the cores). */
  cpuSeconds(): number {
    try {
      const stat = readFileSync(`/proc/${this.child.pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(f[11]) + Number(f[12])) / 100;
    } catch {
      return NaN;
    }
  }
}

interface Health {
  subscribers: number;
  claims: { calls: number; statements: number };
  completions: { calls: number; statements: number };
  live?: { executions: number; deliveries: number; socketWrites: number; logReads: number };
}
async function health(ctx: BenchContext): Promise<Health> {
  return (await (await fetch(ctx.server.url.replace(/\/graphql$/, '/healthz'))).json()) as Health;
}

async function waitFor(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  progress(`Live: gave up waiting for ${what} after ${timeoutMs} ms`);
  return false;
}

function rssMb(ctx: BenchContext): number {
  return ctx.memory.end().endRssMb;
}

export async function live(ctx: BenchContext): Promise<WorkloadResult> {
  const { config, pool } = ctx;
  const tasks = config.quick ? 1_000 : 3_000;
  // The bench server runs with access control on (bench/server-process.ts): every client sends its admin token.
  const token = BENCH_ADMIN_TOKEN;
  const gen = await LoadGenerator.start(config.loadGenNodeArgs);
  const release = async () => gen.stop();
  ctx.cleanups.add(release);
  const summary: SummaryRow[] = [];
  try {
    // ---- (1) W1 per task with 0 and SUBSCRIBERS subscribers ----
    const projectId = await createProject(pool, `bench-live-${Date.now()}`);
    const rows: {
      subs: number;
      tps: number;
      serverMsPerTask: number;
      pgMsPerTask: number;
      loadGenMsPerTask: number;
      usPerDelivery: number;
      lagMs: number;
      exact: boolean;
      executions: number;
      deliveries: number;
      writes: number;
      logReads: number;
      statements: number;
    }[] = [];
    const W = config.workers;
    for (let run = 0; run <= config.runs; run++) {
      for (const subs of [0, SUBSCRIBERS]) {
        await truncateTasks(pool);
        await insertReadyTasks(pool, projectId, run === 0 ? Math.min(500, tasks) : tasks);
        await analyze(pool);
        if (subs > 0) {
          await gen.call({ cmd: 'subscribe', url: ctx.server.wsUrl, token, count: subs, connections: subs, query: COMPLETIONS, variables: { p: projectId, s: ['COMPLETED'] } });
          await waitFor(`${subs} subscriptions`, 30_000, async () => (await health(ctx)).subscribers >= subs);
        }
        if (run > 0) progress(`Live run ${run}/${config.runs}: W1 per task over HTTP, ${tasks} tasks, ${subs} subscribers to completions`);
        const h0 = await health(ctx);
        const loadGenCpu0 = gen.cpuSeconds();
        const { result, meters } = await metered(ctx, () => runWorkers(W, (i) => perTaskWorker(ctx.http, projectId, `live-${i}`)));
        const lastCompletion = Date.now();
        const loadGenCpu1 = gen.cpuSeconds();
        let lagMs = 0;
        let exact = true;
        if (subs > 0) {
          const expected = subs * result.tasks;
          await waitFor('every event delivered', 30_000, async () => (await gen.call<LoadStats>({ cmd: 'stats' })).frames >= expected);
          await new Promise((r) => setTimeout(r, 300)); // a duplicate would arrive now
          const s = await gen.call<LoadStats>({ cmd: 'stats' });
          lagMs = Math.max(0, s.lastMessageAt - lastCompletion);
          exact =
            s.frames === expected && s.minCount === result.tasks && s.maxCount === result.tasks && s.distinctHashes === 1 && s.firstDistinct === result.tasks && s.firstDuplicates === 0 && s.errors.length === 0;
          if (!exact) progress(`Live: delivery not exact: ${JSON.stringify(s)}`);
          await gen.call({ cmd: 'close' });
          await waitFor('subscriptions to end', 30_000, async () => (await health(ctx)).subscribers === 0);
        }
        const h1 = await health(ctx);
        if (run === 0) continue; // warm-up
        rows.push({
          subs,
          tps: result.tasksPerSecond,
          serverMsPerTask: (meters.cpu.serverCpu * 1000) / result.tasks,
          pgMsPerTask: (meters.cpu.postgresCpu * 1000) / result.tasks,
          usPerDelivery: NaN,
          lagMs,
          exact,
          executions: (h1.live?.executions ?? 0) - (h0.live?.executions ?? 0),
          deliveries: (h1.live?.deliveries ?? 0) - (h0.live?.deliveries ?? 0),
          writes: (h1.live?.socketWrites ?? 0) - (h0.live?.socketWrites ?? 0),
          logReads: (h1.live?.logReads ?? 0) - (h0.live?.logReads ?? 0),
          statements: h1.claims.statements + h1.completions.statements - h0.claims.statements - h0.completions.statements,
          loadGenMsPerTask: ((loadGenCpu1 - loadGenCpu0) * 1000) / result.tasks,
        });
      }
    }
    // Server CPU per delivered event: the CPU a run with subscribers spent beyond its paired run without.
    for (let i = 0; i + 1 < rows.length; i += 2) {
      const none = rows[i]!;
      const withSubs = rows[i + 1]!;
      withSubs.usPerDelivery = ((withSubs.serverMsPerTask - none.serverMsPerTask) * 1000 * tasks) / Math.max(1, withSubs.deliveries);
    }
    const of = (subs: number) => rows.filter((r) => r.subs === subs);
    const tps0 = median(of(0).map((r) => r.tps));
    const tpsN = median(of(SUBSCRIBERS).map((r) => r.tps));
    const usPerDelivery = median(of(SUBSCRIBERS).map((r) => r.usPerDelivery));
    const lag = median(of(SUBSCRIBERS).map((r) => r.lagMs));
    const exact = of(SUBSCRIBERS).every((r) => r.exact);
    log(
      table(
        `Live (1): W1 per task over HTTP, ${num(tasks)} tasks, ${W} workers, subscribers in a separate process`,
        ['subscribers', 'tasks/s', 'server CPU/task', 'PostgreSQL CPU/task', 'load generator CPU/task', 'claim+complete statements', 'log reads', 'executions', 'deliveries', 'socket writes', 'CPU/delivery', 'last event after', 'exactly once'],
        rows.map((r) => [
          r.subs,
          num(r.tps),
          `${num(r.serverMsPerTask, 2)} ms`,
          `${num(r.pgMsPerTask, 2)} ms`,
          `${num(r.loadGenMsPerTask, 2)} ms`,
          num(r.statements),
          num(r.logReads),
          num(r.executions),
          num(r.deliveries),
          num(r.writes),
          r.subs ? `${num(r.usPerDelivery, 2)} us` : '-',
          r.subs ? `${num(r.lagMs)} ms` : '-',
          r.subs ? (r.exact ? 'yes' : 'NO') : '-',
        ]),
      ),
    );
    summary.push(
      { workload: 'Live', figure: `W1 per task with ${SUBSCRIBERS} subscribers / with none`, value: `${num(tpsN / tps0, 2)}x (${num(tpsN)} / ${num(tps0)} tasks/s)`, target: '>= 0.8x', pass: tpsN / tps0 >= 0.8 },
      { workload: 'Live', figure: 'server CPU per delivered event (shared subscription)', value: `${num(usPerDelivery, 2)} us`, target: '<= 5 us', pass: usPerDelivery <= 5 },
      { workload: 'Live', figure: 'every event exactly once, last one after the last completion', value: `${exact ? 'yes' : 'NO'}, ${num(lag)} ms`, target: 'yes, <= 1000 ms', pass: exact && lag <= 1_000 },
    );

    // ---- (2) memory of idle subscribers ----
    {
      const before = rssMb(ctx);
      progress(`Live: ${num(IDLE_SUBSCRIBERS)} idle subscribers, one socket each`);
      await gen.call({ cmd: 'subscribe', url: ctx.server.wsUrl, token, count: IDLE_SUBSCRIBERS, connections: IDLE_SUBSCRIBERS, query: COMPLETIONS, variables: { p: projectId, s: ['COMPLETED'] } });
      await waitFor(`${IDLE_SUBSCRIBERS} subscriptions`, 60_000, async () => (await health(ctx)).subscribers >= IDLE_SUBSCRIBERS);
      await new Promise((r) => setTimeout(r, 1_000));
      const after = rssMb(ctx);
      await gen.call({ cmd: 'close' });
      await waitFor('subscriptions to end', 60_000, async () => (await health(ctx)).subscribers === 0);
      const added = after - before;
      log(`\nLive (2): ${num(IDLE_SUBSCRIBERS)} idle WebSocket subscribers: server RSS ${num(before, 1)} MB -> ${num(after, 1)} MB (+${num(added, 1)} MB, ${num((added * 1024) / IDLE_SUBSCRIBERS, 1)} kB each)`);
      summary.push({ workload: 'Live', figure: `server memory added by ${num(IDLE_SUBSCRIBERS)} idle subscribers`, value: `${num(added, 1)} MB`, target: '<= 150 MB', pass: added <= 150 });
    }

    // ---- (3) thundering herd: idle workers woken by taskReady ----
    const herd: { delivery: string; tasks: number; claims: number; claimed: number; wakes: number; seconds: number }[] = [];
    for (const delivery of ['ONE', 'ALL'] as const) {
      const n = delivery === 'ONE' ? (config.quick ? 100 : 200) : config.quick ? 20 : 50;
      await truncateTasks(pool);
      const p = await createProject(pool, `bench-herd-${delivery}-${Date.now()}`);
      await gen.call({ cmd: 'workers', url: ctx.server.url, token, count: IDLE_WORKERS, projectId: p, delivery });
      await waitFor(`${IDLE_WORKERS} idle workers`, 30_000, async () => (await health(ctx)).subscribers >= IDLE_WORKERS);
      await gen.call({ cmd: 'workerStats' });
      progress(`Live: ${IDLE_WORKERS} idle workers on taskReady(delivery: ${delivery}), ${n} tasks created one at a time`);
      const started = Date.now();
      for (let k = 0; k < n; k++) {
        await ctx.http.request(CREATE_TASK, { input: { projectId: p, title: `herd ${k}` } });
        await new Promise((r) => setTimeout(r, 5));
      }
      await waitFor('every herd task completed', 60_000, async () => {
        const { rows } = await pool.query<{ n: string }>(`select count(*) as n from task where project_id = $1 and status = 'COMPLETED'`, [p]);
        return Number(rows[0]!.n) >= n;
      });
      const s = await gen.call<WorkerStats>({ cmd: 'workerStats' });
      if (s.errors.length) progress(`Live: worker errors: ${s.errors.join(' | ')}`);
      herd.push({ delivery, tasks: n, claims: s.claims, claimed: s.claimed, wakes: s.wakes, seconds: (Date.now() - started) / 1000 });
      await gen.call({ cmd: 'close' });
      await waitFor('workers to end', 30_000, async () => (await health(ctx)).subscribers === 0);
    }
    log(
      table(
        `Live (3): ${IDLE_WORKERS} idle workers (one slot each) woken by taskReady, tasks created one at a time`,
        ['delivery', 'tasks', 'wake-ups', 'claim attempts', 'claimed', 'attempts per task', 'wake-ups per task'],
        herd.map((h) => [h.delivery, h.tasks, num(h.wakes), num(h.claims), num(h.claimed), num(h.claims / h.tasks, 2), num(h.wakes / h.tasks, 1)]),
      ),
    );
    const one = herd.find((h) => h.delivery === 'ONE')!;
    summary.push({ workload: 'Live', figure: `claim attempts per task, ${IDLE_WORKERS} idle workers on taskReady(delivery: ONE)`, value: num(one.claims / one.tasks, 2), target: '<= 2', pass: one.claims / one.tasks <= 2 });
    return { name: 'Live', data: { rows, herd }, summary };
  } finally {
    ctx.cleanups.delete(release);
    gen.stop();
  }
}
