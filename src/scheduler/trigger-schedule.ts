import type { EntityManager } from '@mikro-orm/postgresql';
import type { Task } from '../persistence/entities/task.entity';
import { sql } from '../persistence/sql/run';
import { inTransaction, SchedulerDeps } from './context';
import { requireSchedule } from './list-schedules';
import { createTickTask, toDate } from './schedule-rows';

/**
 * triggerSchedule: one run now, whatever the cron, overlap policy or pause say (a person asked
 * for it). Its unique key is the database's now(); the cron ticks go on as before.
 */
export async function triggerSchedule(em: EntityManager, deps: SchedulerDeps, id: string): Promise<Task> {
  return inTransaction(em, deps, async (tem) => {
    const schedule = await requireSchedule(tem, id, true);
    const [{ now }] = await sql<{ now: Date | string }>(tem, 'select now() as now');
    const task = await createTickTask(tem, deps, schedule, toDate(now)!);
    // Two triggers in one transaction instant cannot both exist; the second sees the first.
    if (!task) throw new Error(`schedule ${schedule.id} was triggered twice at the same instant`);
    return task;
  });
}
