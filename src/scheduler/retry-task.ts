import type { EntityManager } from '@mikro-orm/postgresql';
import { InvalidTransitionError, TaskDependencyError } from '../domain/errors';
import { Task } from '../persistence/entities/task.entity';
import { recordTransitions, sql } from '../persistence/sql/run';
import { inTransaction, SchedulerDeps } from './context';
import { unblockDescendants } from './descendants';
import { lockTask } from './load-task';

/**
 * retryTask: a FAILED task goes back to the queue at once (FAILED -> RETRYING -> READY, both
 * logged) and what it blocked goes back to PENDING; a BLOCKED task whose blocking dependency has
 * since been dealt with goes back to READY or PENDING.
 */
export async function retryTask(em: EntityManager, deps: SchedulerDeps, id: string): Promise<Task> {
  let wasFailed = false;
  const task = await inTransaction(em, deps, async (tem) => {
    const task = await lockTask(tem, id);
    wasFailed = task.status === 'FAILED';
    if (task.status === 'FAILED') {
      task.status = 'READY';
      task.availableAt = null;
      task.metadata.retriedAt = deps.now().toISOString();
      delete task.metadata.retryAt;
      await tem.flush();
      await recordTransitions(tem, [
        { taskId: task.id, projectId: task.projectId, previousStatus: 'FAILED', status: 'RETRYING' },
        { taskId: task.id, projectId: task.projectId, previousStatus: 'RETRYING', status: 'READY' },
      ]);
      await unblockDescendants(tem, task.id);
      return task;
    }
    if (task.status === 'BLOCKED') {
      const blockers = await sql<{ id: string; status: string }>(
        tem,
        `select dep.id::text, dep.status from task_dependency d join task dep on dep.id = d.depends_on_id
          where d.task_id = ? and dep.status in ('FAILED', 'CANCELLED', 'BLOCKED')`,
        [task.id],
      );
      if (blockers.length > 0) {
        throw new TaskDependencyError(
          `Task ${task.id} is still blocked by ${blockers.map((b) => `${b.id} (${b.status})`).join(', ')}`,
          task.id,
          [task.id, ...blockers.map((b) => `${b.id} is ${b.status}`)],
        );
      }
      const [{ pending }] = await sql<{ pending: boolean }>(
        tem,
        `select exists (select 1 from task_dependency d join task dep on dep.id = d.depends_on_id
                         where d.task_id = ? and dep.status <> 'COMPLETED') as pending`,
        [task.id],
      );
      // Unblocked with its runAt still ahead: SCHEDULED (the sweeper promotes it then).
      task.status = pending ? 'PENDING' : task.runAt && task.runAt > deps.now() ? 'SCHEDULED' : 'READY';
      delete task.metadata.blockedBy;
      await tem.flush();
      await recordTransitions(tem, [{ taskId: task.id, projectId: task.projectId, previousStatus: 'BLOCKED', status: task.status }]);
      return task;
    }
    throw new InvalidTransitionError(task.status, 'RETRYING', {
      taskId: task.id,
      recovery: 'Only FAILED or BLOCKED tasks can be retried by hand.',
    });
  });
  // Unblocked tasks (this one or its dependents) may now wait SCHEDULED for their runAt.
  deps.dueTimesChanged?.();
  // A FAILED task sent back is a retry; a BLOCKED one set free is not (it had no attempt to retry).
  if (wasFailed) deps.tasksChanged?.({ kind: 'retried', projectId: task.projectId, count: 1 });
  return task;
}
