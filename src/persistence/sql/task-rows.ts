import type { EntityManager } from '@mikro-orm/postgresql';
import { Task } from '../entities/task.entity';

/** Turns rows returned by explained SQL (`returning t.*`) into managed Task entities. */
export function toTasks(em: EntityManager, rows: readonly Record<string, unknown>[]): Task[] {
  return rows.map((row) => em.map(Task, row));
}
