import type { EntityManager } from '@mikro-orm/postgresql';
import { decideTick } from '../domain/cron-schedule';
import { LOCK_DUE_SCHEDULES_SQL } from '../persistence/sql/schedule-due.sql';
import { sql } from '../persistence/sql/run';
import type { SchedulerDeps } from './context';
import { createTickTask, toDate } from './schedule-rows';

const BATCH = 100;
const FINISHED = ['COMPLETED', 'FAILED', 'CANCELLED'];

/**
 * The sweeper's schedule step: every due schedule decides its tick (domain/cron-schedule.ts),
 * creates at most one task for it and moves `next_run_at` on, in one transaction per batch.
 * Decisions use the database's clock, shared by every instance.
 */
export async function fireDueSchedules(em: EntityManager, deps: SchedulerDeps): Promise<number> {
  let fired = 0;
  for (;;) {
    const { seen, created, byProject } = await em.transactional(async (tem) => {
      const rows = await sql<Record<string, any>>(tem as EntityManager, LOCK_DUE_SCHEDULES_SQL, [BATCH]);
      let created = 0;
      const byProject = new Map<string, number>();
      for (const r of rows) {
        const decision = decideTick(
          {
            cron: r.cron,
            timezone: r.timezone,
            nextRunAt: toDate(r.next_run_at)!,
            catchUp: r.catch_up,
            overlap: r.overlap,
            previousRunUnfinished: r.last_status !== null && !FINISHED.includes(r.last_status),
          },
          toDate(r.db_now)!,
        );
        if (decision.fireAt) {
          const task = await createTickTask(tem as EntityManager, deps, { id: r.id, projectId: r.project_id, task: r.task }, decision.fireAt);
          if (task) {
            created++;
            byProject.set(task.projectId, (byProject.get(task.projectId) ?? 0) + 1);
          }
        }
        await sql(tem as EntityManager, 'update schedule set next_run_at = ?, updated_at = now() where id = ?', [decision.nextRunAt, r.id]);
      }
      return { seen: rows.length, created, byProject };
    });
    if (created) deps.afterCommit();
    for (const [projectId, count] of byProject) deps.tasksChanged?.({ kind: 'created', projectId, count });
    fired += created;
    if (seen < BATCH) return fired;
  }
}
