import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../persistence/sql/run';
import { inTransaction, SchedulerDeps } from './context';
import { requireSchedule } from './list-schedules';
import type { ScheduleView } from './schedule-rows';

/** deleteSchedule: removes it (tasks it created stay); returns it as it was. */
export async function deleteSchedule(em: EntityManager, deps: SchedulerDeps, id: string): Promise<ScheduleView> {
  return inTransaction(em, deps, async (tem) => {
    const schedule = await requireSchedule(tem, id, true);
    await sql(tem, 'delete from schedule where id = ?', [schedule.id]);
    return schedule;
  });
}
