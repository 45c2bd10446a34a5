import type { BenchContext, WorkloadResult } from '../context';
import { createProject, truncateTasks } from '../seed';
import { CREATE_TASKS } from '../operations';
import { latencySummary, LatencySummary, spread } from '../stats';
import { log, ms, num, progress, table, withSpread } from '../report';

/**
 * Time (issue #15): how punctually SCHEDULED tasks become READY. 10,000 tasks (BENCH_QUICK:
 * 2,000) are created through createTasks with runAt spread evenly over 10 s, starting a few
 * seconds after the creation began (so all exist, SCHEDULED, before the first is due). Per task:
 *   lag = when its SCHEDULED -> READY transition was logged (task_event.at, clock_timestamp())
 *         - its runAt,
 * both on the database's clock. The sweeper sleeps until the next runAt (no polling), so the lag
 * is its wake-up plus one promotion statement. Target: p99 <= 50 ms. Tasks due before they
 * could be created (a slow machine) are counted and left out.
 */
const SPREAD_MS = 10_000;
const BATCH = 1_000;

export async function runAt(ctx: BenchContext): Promise<WorkloadResult> {
  const { config } = ctx;
  const total = config.quick ? 2_000 : 10_000;
  const perRun: LatencySummary[] = [];
  const late: number[] = [];
  for (let run = 0; run < config.runs; run++) {
    await truncateTasks(ctx.pool);
    const projectId = await createProject(ctx.pool, `bench-time-${Date.now()}-${run}`);
    const { rows } = await ctx.pool.query<{ now: Date }>('select now() as now');
    // Leave time to create them all first (about 1 s per 1,000 on a busy 2-core machine).
    const first = rows[0]!.now.getTime() + 3_000 + total;
    progress(`Time run ${run + 1}/${config.runs}: ${num(total)} tasks due over ${SPREAD_MS / 1000} s from +${((first - rows[0]!.now.getTime()) / 1000).toFixed(0)} s`);
    for (let i = 0; i < total; i += BATCH) {
      const inputs = [];
      for (let k = i; k < Math.min(total, i + BATCH); k++) {
        inputs.push({ projectId, title: `at ${k}`, runAt: new Date(first + Math.floor((k * SPREAD_MS) / total)).toISOString() });
      }
      await ctx.http.request(CREATE_TASKS, { inputs });
    }
    const deadline = first + SPREAD_MS + 30_000;
    for (;;) {
      const { rows: left } = await ctx.pool.query<{ n: number }>(`select count(*)::int as n from task where project_id = $1 and status = 'SCHEDULED'`, [projectId]);
      if (left[0]!.n === 0) break;
      if (Date.now() > deadline) throw new Error(`${left[0]!.n} tasks still SCHEDULED 30 s after the last runAt`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const { rows: lags } = await ctx.pool.query<{ lag: number }>(
      `select (extract(epoch from (e.at - t.run_at)) * 1000)::float8 as lag
         from task t join task_event e on e.task_id = t.id and e.previous_status = 'SCHEDULED' and e.status = 'READY'
        where t.project_id = $1`,
      [projectId],
    );
    late.push(total - lags.length);
    perRun.push(latencySummary(lags.map((r) => r.lag)));
  }
  await truncateTasks(ctx.pool);

  const fig = (p: 'p50' | 'p95' | 'p99' | 'max') => spread(perRun.map((r) => r[p]));
  log(
    table(
      `Time: ${num(total)} tasks with runAt spread over ${SPREAD_MS / 1000} s, median of ${config.runs} run(s) (min-max)`,
      ['figure', 'p50', 'p95', 'p99', 'max', 'measured'],
      [['READY (SCHEDULED -> READY logged) - runAt', withSpread(fig('p50'), ms), withSpread(fig('p95'), ms), withSpread(fig('p99'), ms), withSpread(fig('max'), ms), `${num(perRun[0]?.count ?? 0)} (${late.join('/')} created after their runAt)`]],
    ),
  );
  const p99 = fig('p99').median;
  return {
    name: 'Time',
    data: { tasks: total, spreadMs: SPREAD_MS, perRun, createdLate: late },
    summary: [
      { workload: 'Time', figure: 'runAt -> READY lag p99', value: ms(p99), target: '<= 50 ms', pass: p99 <= 50 },
      { workload: 'Time', figure: 'runAt -> READY lag p50', value: ms(fig('p50').median), target: '-', pass: null },
    ],
  };
}
