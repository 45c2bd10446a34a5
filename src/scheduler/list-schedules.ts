import type { EntityManager } from '@mikro-orm/postgresql';
import { ScheduleNotFoundError } from '../domain/errors';
import { assertId } from '../domain/task-input';
import { sql } from '../persistence/sql/run';
import { requireProject } from './projects';
import { SCHEDULE_COLUMNS, ScheduleView, toScheduleView } from './schedule-rows';

/** schedules(projectId): a project's schedules by name. */
export async function listSchedules(em: EntityManager, projectId: string): Promise<ScheduleView[]> {
  const project = await requireProject(em, projectId);
  const rows = await sql<Record<string, any>>(em, `select ${SCHEDULE_COLUMNS} from schedule where project_id = ? order by name, id`, [project.id]);
  return rows.map(toScheduleView);
}

/** One schedule, its project loaded through the shared lookup (so project scope applies). */
export async function requireSchedule(em: EntityManager, id: string, lock = false): Promise<ScheduleView> {
  const [row] = await sql<Record<string, any>>(em, `select ${SCHEDULE_COLUMNS} from schedule where id = ?${lock ? ' for update' : ''}`, [assertId(id, 'id')]);
  if (!row) throw new ScheduleNotFoundError(id);
  await requireProject(em, row.project_id);
  return toScheduleView(row);
}
