import type { EntityManager } from '@mikro-orm/postgresql';
import { InvalidTransitionError } from '../domain/errors';
import { assertText } from '../domain/task-input';
import { isTerminal } from '../domain/task-status';
import { Task } from '../persistence/entities/task.entity';
import { recordTransitions } from '../persistence/sql/run';
import { inTransaction, SchedulerDeps } from './context';
import { blockWaitingDescendants, cancelDescendants } from './descendants';
import { lockTask } from './load-task';

/** cancelTask: from any non-terminal status; dependents are BLOCKED, or cancelled with `cascade`. */
export async function cancelTask(em: EntityManager, deps: SchedulerDeps, args: { id: string; reason: string; cascade?: boolean | null }): Promise<Task> {
  const reason = assertText(args.reason, 'reason', 2_000);
  let cascaded = 0;
  const cancelled = await inTransaction(em, deps, async (tem) => {
    const task = await lockTask(tem, args.id);
    if (isTerminal(task.status)) {
      throw new InvalidTransitionError(task.status, 'CANCELLED', { taskId: task.id, recovery: `The task is already ${task.status}.` });
    }
    const previous = task.status;
    task.status = 'CANCELLED';
    task.workerId = null;
    task.leaseExpiresAt = null;
    task.availableAt = null;
    task.metadata.reason = reason;
    task.metadata.cancelledAt = deps.now().toISOString();
    await tem.flush();
    await recordTransitions(tem, [{ taskId: task.id, projectId: task.projectId, previousStatus: previous, status: 'CANCELLED' }]);
    if (args.cascade) cascaded = (await cancelDescendants(tem, [task.id], `dependency ${task.id} was cancelled: ${reason.slice(0, 200)}`)).length;
    else await blockWaitingDescendants(tem, [task.id], `dependency ${task.id} was cancelled: ${reason.slice(0, 200)}`);
    return task;
  });
  // Dependents are in the task's project (dependencies never cross projects).
  deps.tasksChanged?.({ kind: 'cancelled', projectId: cancelled.projectId, count: 1 + cascaded });
  return cancelled;
}
