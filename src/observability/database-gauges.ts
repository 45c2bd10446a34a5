import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { TASK_STATUSES } from '../domain/task-status';
import { ACTIVE_WORKERS_SQL, OLDEST_READY_SQL, TASK_COUNTS_SQL } from '../persistence/sql/metrics.sql';
import { sql } from '../persistence/sql/run';
import type { Metrics } from './metrics';

/**
 * Refreshes the database-derived gauges (tq_tasks, tq_oldest_ready_task_age_seconds,
 * tq_active_workers) from three grouped reads, once per scrape; scrapes that arrive while a
 * refresh runs share it. Every status of a project that has tasks is reported (0 included), so
 * a status that empties drops to 0 rather than keeping its last value.
 */
export function databaseGauges(orm: MikroORM, metrics: Metrics): () => Promise<void> {
  let running: Promise<void> | null = null;
  const refresh = async () => {
    const em = orm.em.fork() as EntityManager;
    const [counts, oldest, workers] = await Promise.all([
      sql<{ projectId: string; status: string; count: number }>(em, TASK_COUNTS_SQL),
      sql<{ projectId: string; age: number }>(em, OLDEST_READY_SQL),
      sql<{ projectId: string; workers: number }>(em, ACTIVE_WORKERS_SQL),
    ]);
    const projects = new Set(counts.map((c) => c.projectId));
    metrics.tasks.reset();
    metrics.oldestReadyAge.reset();
    metrics.activeWorkers.reset();
    for (const project of projects) {
      for (const status of TASK_STATUSES) metrics.tasks.set({ project, status }, 0);
      metrics.oldestReadyAge.set({ project }, 0);
      metrics.activeWorkers.set({ project }, 0);
    }
    for (const c of counts) metrics.tasks.set({ project: c.projectId, status: c.status }, c.count);
    for (const o of oldest) metrics.oldestReadyAge.set({ project: o.projectId }, Math.max(0, o.age));
    for (const w of workers) metrics.activeWorkers.set({ project: w.projectId }, w.workers);
  };
  return () => (running ??= refresh().finally(() => (running = null)));
}
