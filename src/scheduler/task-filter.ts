import { BadInputError } from '../domain/errors';
import { assertId, assertText } from '../domain/task-input';
import { isTaskStatus } from '../domain/task-status';
import type { TaskFilter } from './task-queries';

/**
 * A TaskFilter as a SQL condition over `task` columns with its bindings, the same conditions
 * `tasks(filter)` applies (task-queries.ts), for statements that act on a filtered set.
 */
export function taskFilterWhere(filter: TaskFilter): { where: string; bindings: unknown[] } {
  const where: string[] = [];
  const bindings: unknown[] = [];
  if (filter.projectId) {
    where.push('project_id = ?');
    bindings.push(assertId(filter.projectId, 'filter.projectId'));
  }
  if (filter.parentTaskId) {
    where.push('parent_task_id = ?');
    bindings.push(assertId(filter.parentTaskId, 'filter.parentTaskId'));
  }
  if (filter.assignedTo) {
    where.push('assigned_to = ?');
    bindings.push(assertText(filter.assignedTo, 'filter.assignedTo', 100));
  }
  if (filter.statuses && filter.statuses.length > 0) {
    const bad = filter.statuses.find((s) => !isTaskStatus(s));
    if (bad) throw new BadInputError(`unknown status ${bad}`, { field: 'filter.statuses' });
    where.push('status = any(?::text[])');
    bindings.push(filter.statuses);
  }
  return { where: where.length ? where.join(' and ') : 'true', bindings };
}
