import { performance } from 'node:perf_hooks';
import type { BenchContext, WorkloadResult } from '../context';
import { ServerProcess } from '../server-process';
import { HttpGql } from '../workers-http';
import { WsGql } from '../workers-ws';
import { perTaskWorker, runWorkers } from '../worker-loops';
import { analyze, createProject, insertReadyTasks, truncateTasks } from '../seed';
import { median, ratio } from '../stats';
import { log, num, progress, table } from '../report';

/**
 * Access control's cost on the hot path (issue #13: "W1 within 5% of the figures without auth,
 * in the same run"). The server under test requires tokens (every bench client sends the admin
 * token); a second server on the same database runs with AUTH_MODE=off. The same W1 per-task
 * loop (claimNextTask + completeTask, 10 workers) runs against each, alternating, on the same
 * freshly seeded tasks. `BENCH_ONLY=auth` runs it alone.
 */
export async function authOverhead(ctx: BenchContext): Promise<WorkloadResult> {
  const { config, pool } = ctx;
  const W = config.workers;
  const open = await ServerProcess.start(ctx.server.databaseUrl, config.serverNodeArgs, { AUTH_MODE: 'off', HOST: '127.0.0.1' });
  const release = () => open.stop();
  ctx.cleanups.add(release);
  const projectId = await createProject(pool, `bench-auth-${Date.now()}`);
  const servers = [
    { key: 'tokens', server: ctx.server },
    { key: 'off', server: open },
  ] as const;
  const rates: Record<string, number[]> = {};
  try {
    for (const transport of ['graphql-ws', 'HTTP'] as const) {
      for (let run = 0; run <= config.runs; run++) {
        for (const { key, server } of run % 2 === 0 ? servers : [...servers].reverse()) {
          await truncateTasks(pool);
          await insertReadyTasks(pool, projectId, config.tasks);
          await analyze(pool);
          const clients =
            transport === 'graphql-ws'
              ? await Promise.all(Array.from({ length: W }, () => WsGql.connect(server.wsUrl)))
              : Array.from({ length: W }, () => new HttpGql(server.url, HttpGql.agent(1)));
          try {
            const until = performance.now() + config.variantSeconds * 1000;
            const result = await runWorkers(W, (i) => perTaskWorker(clients[i]!, projectId, `auth-${key}-${i}`, until));
            // Run 0 warms both servers up and is not recorded.
            if (run > 0) (rates[`${transport} ${key}`] ??= []).push(result.tasksPerSecond);
            progress(`Auth run ${run}/${config.runs} ${transport} ${key}: ${num(result.tasksPerSecond)} tasks/s`);
          } finally {
            for (const c of clients) if (c instanceof WsGql) await c.close();
          }
        }
      }
    }
  } finally {
    ctx.cleanups.delete(release);
    await open.stop();
    await truncateTasks(pool);
  }
  const rows = (['graphql-ws', 'HTTP'] as const).map((t) => {
    const on = median(rates[`${t} tokens`]!);
    const off = median(rates[`${t} off`]!);
    return { t, on, off, r: ratio(on, off) };
  });
  log(
    table(
      `Access control on the W1 hot path: ${config.tasks} tasks, ${W} workers, per-task claim + complete, median of ${config.runs} run(s)`,
      ['transport', 'with tokens tasks/s', 'AUTH_MODE=off tasks/s', 'ratio', 'target'],
      rows.map((x) => [x.t, num(x.on), num(x.off), `${num(x.r, 2)}x`, '>= 0.95x']),
    ),
  );
  return {
    name: 'Auth overhead',
    data: { tasks: config.tasks, workers: W, rates },
    summary: rows.map((x) => ({
      workload: 'Auth',
      figure: `W1 per task, ${x.t}: with tokens / AUTH_MODE=off`,
      value: `${num(x.r, 2)}x (${num(x.on)} vs ${num(x.off)} tasks/s)`,
      target: '>= 0.95x',
      pass: x.r >= 0.95,
    })),
  };
}
