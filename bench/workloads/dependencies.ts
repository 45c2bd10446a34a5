import { performance } from 'node:perf_hooks';
import type { BenchContext, SummaryRow, WorkloadResult } from '../context';
import { metered } from '../context';
import { analyze, createProject, insertReadyTasks, truncateTasks } from '../seed';
import { CLAIM_NEXT, COMPLETE, CREATE_TASKS, ClaimNextData } from '../operations';
import { perTaskWorker, runWorkers } from '../worker-loops';
import { ratio, spread, Spread } from '../stats';
import { log, num, progress, table, withSpread } from '../report';

/**
 * W3: diamonds (A -> B, A -> C, {B, C} -> D) submitted with createTasks (keys/dependencyKeys),
 * then W workers claim/complete over HTTP until every task is COMPLETED. Workers that find
 * nothing READY while work remains (dependents not yet promoted) poll again after 2 ms.
 *
 * Order violations (a task claimed before all its dependencies completed), counted two ways:
 * - client clocks: the claim of D returned before the completion of one of its dependencies was
 *   even sent (a certain violation; cannot flag a correct run);
 * - the event log: per edge, the dependent's RUNNING event must be stamped (clock_timestamp(),
 *   inside the claim statement, i.e. after its snapshot) after the dependency's COMPLETED event
 *   (stamped before that transaction committed). Correct scheduling always satisfies it.
 *
 * The ratio to W1(a) is taken per run against a reference measured right before it: the same
 * number of independent no-op tasks through the same HTTP workers. On a machine shared with
 * other work, comparing with W1's figure from minutes earlier measured the neighbours' load as
 * much as the dependencies (the first full run put W3 at 1.5x W1(a)). Both ratios are printed.
 */
const IDLE_POLL_MS = 2;
const CREATE_BATCH_DIAMONDS = 250; // 1,000 inputs: createTasks' limit per call

interface RunResult {
  /** W1(a)-style reference just before this run: `tasks` independent no-op tasks. */
  referenceTasksPerSecond: number;
  tasks: number;
  createSeconds: number;
  seconds: number;
  tasksPerSecond: number;
  emptyClaims: number;
  clientViolations: number;
  eventLogViolations: number;
  notCompleted: number;
}

export async function dependencies(ctx: BenchContext, w1PerTask: Spread | null): Promise<WorkloadResult> {
  const { config } = ctx;
  const runs: RunResult[] = [];
  for (let run = 1; run <= config.runs; run++) {
    progress(`W3 run ${run}/${config.runs}: ${config.diamonds} diamonds`);
    const referenceTasksPerSecond = await reference(ctx, config.diamonds * 4);
    runs.push({ referenceTasksPerSecond, ...(await oneRun(ctx)) });
  }
  await truncateTasks(ctx.pool);

  const tps = spread(runs.map((r) => r.tasksPerSecond));
  const paired = spread(runs.map((x) => ratio(x.tasksPerSecond, x.referenceTasksPerSecond)));
  const r = paired.median;
  const toW1 = w1PerTask ? ratio(tps.median, w1PerTask.median) : NaN;
  const violations = runs.reduce((s, x) => s + x.clientViolations + x.eventLogViolations + x.notCompleted, 0);
  log(
    table(
      `W3 dependencies: ${config.diamonds} diamonds (${config.diamonds * 4} tasks), ${config.workers} HTTP workers, median of ${config.runs} run(s) (min-max)`,
      ['figure', 'value', 'target', ''],
      [
        ['total time (claim/complete phase)', withSpread(spread(runs.map((x) => x.seconds)), (n) => `${num(n, 2)} s`), '-', '-'],
        ['tasks/s', withSpread(tps), '-', '-'],
        ['W1(a)-style reference right before each run (no dependencies)', withSpread(spread(runs.map((x) => x.referenceTasksPerSecond)), (n) => `${num(n)} tasks/s`), '-', '-'],
        ['ratio to W1(a), paired with that reference', withSpread(paired, (n) => `${num(n, 2)}x`), '>= 0.6x', r >= 0.6 ? 'pass' : 'FAIL'],
        ['ratio to the W1(a) median above (info; minutes apart)', `${num(toW1, 2)}x`, '-', '-'],
        ['order violations (client clocks)', String(runs.reduce((s, x) => s + x.clientViolations, 0)), '0', ''],
        ['order violations (event log)', String(runs.reduce((s, x) => s + x.eventLogViolations, 0)), '0', ''],
        ['tasks not COMPLETED at the end', String(runs.reduce((s, x) => s + x.notCompleted, 0)), '0', violations === 0 ? 'pass' : 'FAIL'],
        ['empty claims (nothing READY yet) per run', withSpread(spread(runs.map((x) => x.emptyClaims))), '-', '-'],
        ['createTasks (info, not in the total)', withSpread(spread(runs.map((x) => x.tasks / x.createSeconds)), (n) => `${num(n)} tasks/s`), '-', '-'],
      ],
    ),
  );
  const summary: SummaryRow[] = [
    { workload: 'W3', figure: 'diamonds tasks/s / W1(a) (paired reference)', value: `${num(r, 2)}x (${num(tps.median)} tasks/s)`, target: '>= 0.6x', pass: r >= 0.6 },
    { workload: 'W3', figure: 'order violations', value: String(violations), target: '0', pass: violations === 0 },
  ];
  return { name: 'W3 dependencies', data: { diamonds: config.diamonds, runs, tasksPerSecond: tps, ratioToPairedReference: paired, ratioToW1aMedian: toW1 }, summary };
}

/** W1(a) in miniature: `tasks` READY no-op tasks, the same HTTP workers, claim + complete each. */
async function reference(ctx: BenchContext, tasks: number): Promise<number> {
  await truncateTasks(ctx.pool);
  const projectId = await createProject(ctx.pool, `bench-w3-ref-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`);
  await insertReadyTasks(ctx.pool, projectId, tasks);
  await analyze(ctx.pool);
  const r = await runWorkers(ctx.config.workers, (i) => perTaskWorker(ctx.http, projectId, `w3-ref-${i}`));
  return r.tasksPerSecond;
}

async function oneRun(ctx: BenchContext): Promise<Omit<RunResult, 'referenceTasksPerSecond'>> {
  const { config } = ctx;
  await truncateTasks(ctx.pool);
  const projectId = await createProject(ctx.pool, `bench-w3-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`);

  // Submit the diamonds; remember each task's dependencies by id (the response keeps input order).
  const dependsOn = new Map<string, string[]>();
  const createStart = performance.now();
  for (let first = 0; first < config.diamonds; first += CREATE_BATCH_DIAMONDS) {
    const inputs: Record<string, unknown>[] = [];
    const n = Math.min(CREATE_BATCH_DIAMONDS, config.diamonds - first);
    for (let d = first; d < first + n; d++) {
      inputs.push(
        { projectId, title: `diamond ${d} A`, key: `${d}a` },
        { projectId, title: `diamond ${d} B`, key: `${d}b`, dependencyKeys: [`${d}a`] },
        { projectId, title: `diamond ${d} C`, key: `${d}c`, dependencyKeys: [`${d}a`] },
        { projectId, title: `diamond ${d} D`, key: `${d}d`, dependencyKeys: [`${d}b`, `${d}c`] },
      );
    }
    const { createTasks } = await ctx.http.request<{ createTasks: { id: string }[] }>(CREATE_TASKS, { inputs });
    for (let i = 0; i < createTasks.length; i += 4) {
      const [a, b, c, d] = createTasks.slice(i, i + 4).map((t) => t.id) as [string, string, string, string];
      dependsOn.set(b, [a]);
      dependsOn.set(c, [a]);
      dependsOn.set(d, [b, c]);
    }
  }
  const createSeconds = (performance.now() - createStart) / 1000;
  await analyze(ctx.pool);

  const total = config.diamonds * 4;
  const claimedAt = new Map<string, number>();
  const completeSentAt = new Map<string, number>();
  let completed = 0;
  let emptyClaims = 0;
  const { result } = await metered(ctx, () =>
    runWorkers(config.workers, async (i) => {
      const workerId = `w3-${i}`;
      let done = 0;
      while (completed < total) {
        const { claimNextTask } = await ctx.http.request<ClaimNextData>(CLAIM_NEXT, { projectId, workerId });
        if (!claimNextTask) {
          emptyClaims++;
          await new Promise((r) => setTimeout(r, IDLE_POLL_MS));
          continue;
        }
        claimedAt.set(claimNextTask.id, performance.now());
        completeSentAt.set(claimNextTask.id, performance.now());
        await ctx.http.request(COMPLETE, { id: claimNextTask.id, workerId });
        completed++;
        done++;
      }
      return done;
    }),
  );

  let clientViolations = 0;
  for (const [task, deps] of dependsOn) {
    const claimed = claimedAt.get(task);
    for (const dep of deps) {
      const sent = completeSentAt.get(dep);
      if (claimed === undefined || sent === undefined || claimed < sent) clientViolations++;
    }
  }
  const { rows } = await ctx.pool.query<{ violations: number; not_completed: number }>(
    `with claimed as (select task_id, min(at) as at from task_event where status = 'RUNNING' group by task_id),
          completed as (select task_id, min(at) as at from task_event where status = 'COMPLETED' group by task_id)
     select (select count(*)::int from task_dependency d
               join task t on t.id = d.task_id and t.project_id = $1
               left join claimed c on c.task_id = d.task_id
               left join completed k on k.task_id = d.depends_on_id
              where c.at is null or k.at is null or c.at <= k.at) as violations,
            (select count(*)::int from task where project_id = $1 and status <> 'COMPLETED') as not_completed`,
    [projectId],
  );
  return {
    tasks: total,
    createSeconds,
    seconds: result.seconds,
    tasksPerSecond: result.tasks / result.seconds,
    emptyClaims,
    clientViolations,
    eventLogViolations: rows[0]!.violations,
    notCompleted: rows[0]!.not_completed,
  };
}
