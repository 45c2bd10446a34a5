import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { assertId } from '../domain/task-input';
import { TaskNotFoundError } from '../domain/errors';
import { Task } from '../persistence/entities/task.entity';

/** Loads a task for change inside a transaction, row-locked so the guarded update cannot race. */
export async function lockTask(tem: EntityManager, id: string): Promise<Task> {
  const taskId = assertId(id, 'id');
  const task = await tem.findOne(Task, { id: taskId }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
  if (!task) throw new TaskNotFoundError(taskId);
  return task;
}

export async function findTask(em: EntityManager, id: string): Promise<Task> {
  const taskId = assertId(id, 'id');
  const task = await em.findOne(Task, { id: taskId });
  if (!task) throw new TaskNotFoundError(taskId);
  return task;
}
