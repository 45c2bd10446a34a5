import type { EntityManager } from '@mikro-orm/postgresql';
import { deadlineOf } from '../domain/effective-priority';
import { InvalidTransitionError } from '../domain/errors';
import { isTerminal } from '../domain/task-status';
import { applyMetadataPatch, TaskUpdateInput, validateTaskUpdate } from '../domain/task-update';
import { Task } from '../persistence/entities/task.entity';
import { REFRESH_EFFECTIVE_PRIORITY_SQL } from '../persistence/sql/effective-priority.sql';
import { sql } from '../persistence/sql/run';
import { inTransaction, SchedulerDeps } from './context';
import { lockTask } from './load-task';
import { estimateTask } from './task-estimate';

/**
 * updateTask: edits what a client owns (title, description, context, metadata, assignedTo,
 * maxRetries) of a task that is not finished. Status, priority and dependencies have their own
 * use cases. Keeps the derived columns in step: the complexity estimate when the text changes,
 * deadlineAt and the effective priority when metadata.deadline changes.
 */
export async function updateTask(em: EntityManager, deps: SchedulerDeps, args: { id: string; input: TaskUpdateInput }): Promise<Task> {
  const update = validateTaskUpdate(args.input);
  return inTransaction(em, deps, async (tem) => {
    const task = await lockTask(tem, args.id);
    if (isTerminal(task.status)) {
      throw new InvalidTransitionError(task.status, task.status, {
        taskId: task.id,
        recovery: `A ${task.status} task can no longer be edited; create a new task instead.`,
      });
    }
    const textBefore = [task.title, task.description];
    if (update.title !== undefined) task.title = update.title;
    if (update.description !== undefined) task.description = update.description;
    if (update.context !== undefined) task.context = update.context;
    if (update.assignedTo !== undefined) task.assignedTo = update.assignedTo;
    if (update.maxRetries !== undefined) task.maxRetries = update.maxRetries;

    const deadlineBefore = task.deadlineAt?.getTime() ?? null;
    if (update.metadataPatch !== undefined) {
      task.metadata = applyMetadataPatch(task.metadata, update.metadataPatch);
      task.deadlineAt = deadlineOf(task.metadata);
    }
    const deadlineChanged = (task.deadlineAt?.getTime() ?? null) !== deadlineBefore;

    if (task.title !== textBefore[0] || task.description !== textBefore[1]) {
      const dependencyIds = await sql<{ id: string }>(tem, 'select depends_on_id::text as id from task_dependency where task_id = ?', [task.id]);
      task.complexity = estimateTask(deps, task, dependencyIds.map((r) => r.id), deps.now());
    }
    await tem.flush();
    if (deadlineChanged) {
      await sql(tem, REFRESH_EFFECTIVE_PRIORITY_SQL, [[task.id]]);
      await tem.refresh(task);
    }
    return task;
  });
}
