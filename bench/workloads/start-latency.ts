import { performance } from 'node:perf_hooks';
import type { BenchContext, SummaryRow, WorkloadResult } from '../context';
import { createProject, truncateTasks } from '../seed';
import { CLAIM_NEXT, COMPLETE, CREATE_TASK, ClaimNextData, STATUS_CHANGED, TASK_READY } from '../operations';
import { WsGql } from '../workers-ws';
import { latencySummary, LatencySummary, spread, Spread } from '../stats';
import { log, ms, progress, table, withSpread } from '../report';

/**
 * W2: how fast an idle worker starts on a new task, and how fast events reach subscribers.
 *
 * One worker, idle, subscribed to taskReady(projectId) over graphql-ws; on each event it claims
 * (claimNextTask over the same connection) and completes. A second connection watches
 * taskStatusChanged(projectId, statuses: [COMPLETED]). The bench creates one task at a time over
 * HTTP and, per task, takes (all clocks are this process's performance.now()):
 *   start     = worker holds the claimed task          - createTask response arrived
 *   ready     = taskReady event arrived                - createTask response arrived   (issue #4)
 *   completed = COMPLETED event arrived at the watcher - completeTask response arrived (issue #4)
 *   claim     = worker holds the claimed task          - taskReady event arrived (start = ready + claim)
 * A negative value means the event beat the HTTP response (the event is sent after commit, the
 * response after serialisation): that is reported as measured, not clamped.
 */
interface Times {
  ready?: number;
  held?: number;
  completeReturned?: number;
  completedEvent?: number;
}

const FIGURES = ['start', 'ready', 'claim', 'completed'] as const;
type Figure = (typeof FIGURES)[number];

export async function startLatency(ctx: BenchContext): Promise<WorkloadResult> {
  const { config } = ctx;
  await truncateTasks(ctx.pool);
  const projectId = await createProject(ctx.pool, `bench-w2-${Date.now()}`);
  const worker = await WsGql.connect(ctx.server.wsUrl);
  const watcher = await WsGql.connect(ctx.server.wsUrl);
  const times = new Map<string, Times>();
  let changed: (() => void) | null = null;
  let failure: unknown = null;
  const record = (id: string, field: keyof Times) => {
    let t = times.get(id);
    if (!t) times.set(id, (t = {}));
    t[field] ??= performance.now();
    changed?.();
  };
  const fail = (e: unknown) => {
    failure ??= e;
    changed?.();
  };

  // The worker: drains the queue whenever taskReady fires (events coalesce while it is busy).
  let busy = false;
  let again = false;
  const drain = async () => {
    if (busy) return void (again = true);
    busy = true;
    try {
      do {
        again = false;
        for (;;) {
          const { claimNextTask } = await worker.request<ClaimNextData>(CLAIM_NEXT, { projectId, workerId: 'w2-worker' });
          if (!claimNextTask) break;
          record(claimNextTask.id, 'held');
          await worker.request(COMPLETE, { id: claimNextTask.id, workerId: 'w2-worker' });
          record(claimNextTask.id, 'completeReturned');
        }
      } while (again);
    } catch (e) {
      fail(e);
    } finally {
      busy = false;
    }
  };
  const unsubReady = worker.subscribe<{ taskReady: { id: string } }>(TASK_READY, { projectId }, (d) => {
    record(d.taskReady.id, 'ready');
    void drain();
  }, fail);
  const unsubChanged = watcher.subscribe<{ taskStatusChanged: { taskId: string } }>(
    STATUS_CHANGED,
    { projectId, statuses: ['COMPLETED'] },
    (d) => record(d.taskStatusChanged.taskId, 'completedEvent'),
    fail,
  );

  /** One sample: create over HTTP, wait for the whole cycle, return the three figures. */
  const sample = async (timeoutMs: number): Promise<Record<Figure, number> | null> => {
    const { createTask } = await ctx.http.request<{ createTask: { id: string } }>(CREATE_TASK, { input: { projectId, title: 'w2 task' } });
    const created = performance.now();
    const id = createTask.id;
    const complete = () => {
      const t = times.get(id);
      return t && t.ready !== undefined && t.held !== undefined && t.completeReturned !== undefined && t.completedEvent !== undefined;
    };
    if (!complete()) {
      const ok = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), timeoutMs);
        changed = () => {
          if (failure || complete()) {
            clearTimeout(timer);
            resolve(!failure);
          }
        };
      });
      changed = null;
      if (failure) throw failure;
      if (!ok) return null;
    }
    const t = times.get(id)!;
    times.delete(id);
    return { start: t.held! - created, ready: t.ready! - created, claim: t.held! - t.ready!, completed: t.completedEvent! - t.completeReturned! };
  };

  try {
    // Warm-up: until both subscriptions demonstrably deliver (they register asynchronously).
    let delivered = 0;
    for (let i = 0; delivered < 20; i++) {
      if (i > 100) throw new Error('W2: subscriptions never delivered the warm-up events');
      if (await sample(3_000)) delivered++;
    }
    const perRun: Record<Figure, LatencySummary>[] = [];
    const pooled: Record<Figure, number[]> = { start: [], ready: [], claim: [], completed: [] };
    for (let run = 1; run <= config.runs; run++) {
      progress(`W2 run ${run}/${config.runs}: ${config.latencySamples} samples`);
      const samples: Record<Figure, number[]> = { start: [], ready: [], claim: [], completed: [] };
      for (let i = 0; i < config.latencySamples; i++) {
        const s = await sample(10_000);
        if (!s) throw new Error(`W2: sample ${i} did not complete within 10 s`);
        for (const f of FIGURES) {
          samples[f].push(s[f]);
          pooled[f].push(s[f]);
        }
      }
      perRun.push(Object.fromEntries(FIGURES.map((f) => [f, latencySummary(samples[f])])) as Record<Figure, LatencySummary>);
    }

    const fig = (f: Figure, p: 'p50' | 'p95' | 'p99'): Spread => spread(perRun.map((r) => r[f][p]));
    const labels: Record<Figure, string> = {
      start: 'createTask response -> worker holds the task (taskReady + claim over graphql-ws)',
      ready: '  of which: createTask response -> taskReady event (issue #4)',
      claim: '  of which: taskReady event -> claim returned (claimNextTask over graphql-ws)',
      completed: 'completeTask response -> taskStatusChanged COMPLETED event (issue #4)',
    };
    log(
      table(
        `W2 start latency: ${config.latencySamples} samples per run, median of ${config.runs} run(s) (min-max)`,
        ['figure', 'p50', 'p95', 'p99', 'max (all runs)'],
        FIGURES.map((f) => [labels[f], withSpread(fig(f, 'p50'), ms), withSpread(fig(f, 'p95'), ms), withSpread(fig(f, 'p99'), ms), ms(Math.max(...pooled[f]))]),
      ),
    );
    const p50 = fig('start', 'p50').median;
    const p99 = fig('start', 'p99').median;
    const info = (f: Figure, name: string): SummaryRow => ({
      workload: 'W2',
      figure: name,
      value: `p50 ${ms(fig(f, 'p50').median)} / p95 ${ms(fig(f, 'p95').median)} / p99 ${ms(fig(f, 'p99').median)}`,
      target: '- (issue #4)',
      pass: null,
    });
    return {
      name: 'W2 start latency',
      data: { samplesPerRun: config.latencySamples, perRun, figures: Object.fromEntries(FIGURES.map((f) => [f, { p50: fig(f, 'p50'), p95: fig(f, 'p95'), p99: fig(f, 'p99') }])) },
      summary: [
        { workload: 'W2', figure: 'start latency p50', value: ms(p50), target: '<= 3 ms', pass: p50 <= 3 },
        { workload: 'W2', figure: 'start latency p99', value: ms(p99), target: '<= 15 ms', pass: p99 <= 15 },
        info('ready', 'createTask -> taskReady event'),
        info('completed', 'completeTask -> COMPLETED event'),
      ],
    };
  } finally {
    unsubReady();
    unsubChanged();
    await worker.close();
    await watcher.close();
    await truncateTasks(ctx.pool);
  }
}
