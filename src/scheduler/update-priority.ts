import type { EntityManager } from '@mikro-orm/postgresql';
import { InvalidTransitionError } from '../domain/errors';
import { assertPriority } from '../domain/task-input';
import { isTerminal } from '../domain/task-status';
import { Task } from '../persistence/entities/task.entity';
import { REFRESH_EFFECTIVE_PRIORITY_SQL } from '../persistence/sql/effective-priority.sql';
import { sql } from '../persistence/sql/run';
import { inTransaction, SchedulerDeps } from './context';
import { lockTask } from './load-task';

export async function updateTaskPriority(em: EntityManager, deps: SchedulerDeps, args: { id: string; priority: number }): Promise<Task> {
  const priority = assertPriority(args.priority);
  return inTransaction(em, deps, async (tem) => {
    const task = await lockTask(tem, args.id);
    if (isTerminal(task.status)) {
      throw new InvalidTransitionError(task.status, task.status, { taskId: task.id, recovery: `A ${task.status} task's priority can no longer change.` });
    }
    task.priority = priority;
    await tem.flush();
    await sql(tem, REFRESH_EFFECTIVE_PRIORITY_SQL, [[task.id]]);
    await tem.refresh(task);
    return task;
  });
}
