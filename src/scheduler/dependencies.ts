import type { EntityManager } from '@mikro-orm/postgresql';
import { cyclePathIfAdded } from '../domain/dependency-graph';
import { InvalidTransitionError, TaskDependencyError } from '../domain/errors';
import { assertId } from '../domain/task-input';
import { statusAtCreation, TaskStatus } from '../domain/task-status';
import { Task } from '../persistence/entities/task.entity';
import { TaskDependency } from '../persistence/entities/task-dependency.entity';
import { REFRESH_EFFECTIVE_PRIORITY_SQL } from '../persistence/sql/effective-priority.sql';
import { TRANSITIVE_DEPENDENCIES_SQL } from '../persistence/sql/graph.sql';
import { recordTransitions, sql } from '../persistence/sql/run';
import { inTransaction, SchedulerDeps } from './context';
import { lockTask } from './load-task';

/** Statuses whose dependency list may still change. */
const EDITABLE: readonly TaskStatus[] = ['PENDING', 'READY', 'BLOCKED'];

/**
 * Graph edits take a per-project advisory lock: two concurrent edits whose locked rows do not
 * overlap could otherwise each pass the cycle check and together close a cycle.
 */
async function lockProjectGraph(tem: EntityManager, projectId: string): Promise<void> {
  await sql(tem, `select pg_advisory_xact_lock(hashtext('task-graph:' || ?::text))`, [projectId]);
}

export async function addDependency(em: EntityManager, deps: SchedulerDeps, args: { taskId: string; dependsOn: string }): Promise<Task> {
  const taskId = assertId(args.taskId, 'taskId');
  const dependsOn = assertId(args.dependsOn, 'dependsOn');
  if (taskId === dependsOn) throw new TaskDependencyError(`Task ${taskId} cannot depend on itself`, taskId, [taskId, taskId]);
  return inTransaction(em, deps, async (tem) => {
    const task = await lockTask(tem, taskId);
    await lockProjectGraph(tem, task.projectId);
    const dep = await tem.findOne(Task, { id: dependsOn });
    if (!dep) throw new TaskDependencyError(`Dependency ${dependsOn} not found`, taskId, [taskId, `dependency ${dependsOn} not found`]);
    if (dep.projectId !== task.projectId) {
      throw new TaskDependencyError(`Dependency ${dependsOn} belongs to another project`, taskId, [taskId, `dependency ${dependsOn} is in project ${dep.projectId}`]);
    }
    if (!EDITABLE.includes(task.status)) {
      throw new InvalidTransitionError(task.status, 'PENDING', { taskId, recovery: 'Dependencies can only be added to PENDING, READY or BLOCKED tasks.' });
    }
    const existing = await tem.findOne(TaskDependency, { taskId, dependsOnId: dependsOn });
    if (existing) return task;
    const edges = await sql<{ task_id: string; depends_on_id: string }>(tem, TRANSITIVE_DEPENDENCIES_SQL, [dependsOn]);
    const graph = new Map<string, string[]>();
    for (const e of edges) graph.set(e.task_id, [...(graph.get(e.task_id) ?? []), e.depends_on_id]);
    const cycle = cyclePathIfAdded(graph, taskId, dependsOn);
    if (cycle) throw new TaskDependencyError(`Adding this dependency would create a cycle: ${cycle.join(' -> ')}`, taskId, cycle);
    if (task.status === 'READY' && dep.status !== 'COMPLETED') {
      throw new InvalidTransitionError('READY', 'PENDING', {
        taskId,
        recovery: 'A READY task may be claimed at any moment; add unfinished dependencies before it becomes READY, or cancel and recreate it.',
      });
    }

    tem.create(TaskDependency, { taskId, dependsOnId: dependsOn });
    if (dep.status !== 'COMPLETED') task.waitingOn += 1;
    await tem.flush();
    await settleStatus(tem, task, deps.now());
    await sql(tem, REFRESH_EFFECTIVE_PRIORITY_SQL, [[dependsOn]]);
    return task;
  }).then((task) => {
    if (task.status === 'SCHEDULED' && task.runAt) deps.runAtScheduled?.(task.runAt);
    return task;
  });
}

export async function removeDependency(em: EntityManager, deps: SchedulerDeps, args: { taskId: string; dependsOn: string }): Promise<Task> {
  const taskId = assertId(args.taskId, 'taskId');
  const dependsOn = assertId(args.dependsOn, 'dependsOn');
  return inTransaction(em, deps, async (tem) => {
    const task = await lockTask(tem, taskId);
    await lockProjectGraph(tem, task.projectId);
    const edge = await tem.findOne(TaskDependency, { taskId, dependsOnId: dependsOn });
    if (!edge) throw new TaskDependencyError(`Task ${taskId} does not depend on ${dependsOn}`, taskId, [taskId, `no dependency on ${dependsOn}`]);
    if (!EDITABLE.includes(task.status)) {
      throw new InvalidTransitionError(task.status, task.status, { taskId, recovery: 'Dependencies of a task that has started can no longer change.' });
    }
    tem.remove(edge);
    const [dep] = await sql<{ status: TaskStatus }>(tem, 'select status from task where id = ?', [dependsOn]);
    if (dep && dep.status !== 'COMPLETED') task.waitingOn -= 1;
    await tem.flush();
    await settleStatus(tem, task, deps.now());
    await sql(tem, REFRESH_EFFECTIVE_PRIORITY_SQL, [[dependsOn]]);
    return task;
  }).then((task) => {
    if (task.status === 'SCHEDULED' && task.runAt) deps.runAtScheduled?.(task.runAt);
    return task;
  });
}

/** Re-derives a waiting task's status from its (changed) dependencies and logs a change. */
async function settleStatus(tem: EntityManager, task: Task, now: Date): Promise<void> {
  const rows = await sql<{ status: TaskStatus }>(
    tem,
    'select dep.status from task_dependency d join task dep on dep.id = d.depends_on_id where d.task_id = ?',
    [task.id],
  );
  // All done but runAt ahead: SCHEDULED (the sweeper promotes it then).
  const next = statusAtCreation(rows.map((r) => r.status), task.runAt, now);
  if (next === task.status) return;
  const previous = task.status;
  task.status = next;
  if (next === 'BLOCKED') task.metadata.reason = 'a dependency failed or was cancelled';
  await tem.flush();
  await recordTransitions(tem, [{ taskId: task.id, projectId: task.projectId, previousStatus: previous, status: next }]);
}
