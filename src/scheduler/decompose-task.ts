import type { EntityManager } from '@mikro-orm/postgresql';
import type { ComplexityEstimate, SubtaskPlan } from '../domain/complexity';
import { BadInputError, InvalidTransitionError, LeaseNotHeldError, TaskNotFoundError } from '../domain/errors';
import type { LeaseGuard } from '../auth/principal';
import { assertId, NewTaskInput } from '../domain/task-input';
import { assertTransition, TaskStatus } from '../domain/task-status';
import { Task } from '../persistence/entities/task.entity';
import { REFRESH_EFFECTIVE_PRIORITY_SQL } from '../persistence/sql/effective-priority.sql';
import { recordTransitions, sql } from '../persistence/sql/run';
import { inTransaction, SchedulerDeps } from './context';
import { createTasks } from './create-tasks';
import { lockTask } from './load-task';
import { estimateTask } from './task-estimate';

/** A task that has not started; anything later has work (or a result) of its own. */
const DECOMPOSABLE: readonly TaskStatus[] = ['PENDING', 'READY', 'BLOCKED'];

const keyOf = (subtaskId: number): string => `subtask-${subtaskId}`;

/**
 * decomposeTask: the parent's suggested subtasks become real child tasks, in one transaction.
 *
 * - Children follow the plan's dependencies; those the plan starts with also wait for the
 *   parent's own dependencies, since they do the parent's work and that work was waiting too.
 * - The parent then depends on every child: it completes after them (READY -> PENDING).
 * - Children are created through createTasks, in a savepoint of this transaction, so they are
 *   validated, estimated, statused and logged exactly like tasks created through the API.
 *
 * Returns the children in plan order.
 */
export async function decomposeTask(em: EntityManager, deps: SchedulerDeps, id: string, guard: LeaseGuard | null = null): Promise<Task[]> {
  const parentId = assertId(id, 'id');
  return inTransaction(em, deps, async (tem) => {
    // Dependencies before their dependent, the order completeTask locks in (the completed task,
    // then its waiting dependents): a dependency completing meanwhile cannot deadlock with us.
    await sql(tem, 'select t.id from task t join task_dependency d on d.depends_on_id = t.id where d.task_id = ? order by t.id for share of t', [parentId]);
    // The row lock also serialises decompositions of one task and hides it from claimers.
    const parent = await lockTask(tem, parentId);
    // A WORKER decomposes only a task it claimed itself (src/auth "own running task only").
    if (guard?.projectId && parent.projectId !== guard.projectId) throw new TaskNotFoundError(parent.id);
    if (guard && parent.claimedByTokenId !== guard.tokenId) throw new LeaseNotHeldError(parent.id, parent.workerId ?? '');
    if (!DECOMPOSABLE.includes(parent.status)) {
      throw new InvalidTransitionError(parent.status, 'PENDING', {
        taskId: parent.id,
        recovery: 'Only a task that has not started (PENDING, READY or BLOCKED) can be decomposed; create follow-up tasks with createTasks and parentTaskId instead.',
      });
    }
    const existingChildren = await sql<{ id: string }>(tem, 'select id::text from task where parent_task_id = ? order by seq', [parent.id]);
    if (existingChildren.length > 0) {
      throw new BadInputError(`Task ${parent.id} already has ${existingChildren.length} subtask(s); a task is decomposed once`, {
        taskId: parent.id,
        childTaskIds: existingChildren.map((r) => r.id),
        recovery: 'List the subtasks with tasks(filter: { parentTaskId }), or add more with createTask and parentTaskId.',
      });
    }
    const dependencyIds = (await sql<{ id: string }>(tem, 'select depends_on_id::text as id from task_dependency where task_id = ? order by depends_on_id', [parent.id])).map((r) => r.id);
    const plan = subtaskPlan(parent, () => estimateTask(deps, parent, dependencyIds, deps.now()));

    const inputs: NewTaskInput[] = plan.map((s) => ({
      projectId: parent.projectId,
      title: s.title,
      priority: parent.priority,
      key: keyOf(s.id),
      dependencyKeys: s.dependencies.map(keyOf),
      dependencies: s.dependencies.length === 0 ? dependencyIds : [],
      // subtaskIndex is the plan's 1-based id, as in the parent's suggestedParallelGroups.
      context: { decomposedFrom: parent.id, subtaskIndex: s.id },
      // The parent cannot finish before its children, so its deadline is theirs too.
      metadata: parent.metadata.deadline === undefined ? {} : { deadline: parent.metadata.deadline },
      maxRetries: parent.maxRetries,
      assignedTo: parent.assignedTo,
      parentTaskId: parent.id,
      retryPolicy: parent.retryPolicy,
    }));
    // The wake-up belongs to this outer transaction's commit, not to the savepoint's.
    const created = await createTasks(tem, { ...deps, afterCommit: () => {} }, inputs);
    const childIds = created.map((t) => t.id);

    await sql(tem, 'insert into task_dependency (task_id, depends_on_id) select ?::uuid, unnest(?::uuid[])', [parent.id, childIds]);
    // The parent now also waits for every child (none is COMPLETED yet).
    await sql(tem, 'update task set waiting_on = waiting_on + ? where id = ?', [childIds.length, parent.id]);
    // Every child now has a dependent (the parent): +1 effective priority.
    await sql(tem, REFRESH_EFFECTIVE_PRIORITY_SQL, [childIds]);

    const wasReady = parent.status === 'READY';
    if (wasReady) {
      assertTransition('READY', 'PENDING', parent.id);
      parent.status = 'PENDING';
    }
    await tem.flush(); // the parent's status, and its estimate if it was made just now
    if (wasReady) {
      await recordTransitions(tem, [{ taskId: parent.id, projectId: parent.projectId, previousStatus: 'READY', status: 'PENDING' }]);
    }

    const children = await tem.find(Task, { id: { $in: childIds } }, { refresh: true });
    const byId = new Map(children.map((t) => [t.id, t]));
    return childIds.map((childId) => byId.get(childId)!);
  });
}

/**
 * The plan stored with the task's estimate; a task without one (created before estimates were
 * stored) is estimated now and the estimate kept. No suggested subtasks: nothing to decompose.
 */
function subtaskPlan(parent: Task, estimateNow: () => ComplexityEstimate): SubtaskPlan[] {
  if (!Array.isArray(parent.complexity?.subtaskPlan)) parent.complexity = estimateNow();
  const estimate = parent.complexity!;
  if (!estimate.suggestsDecomposition || estimate.subtaskPlan.length === 0) {
    throw new BadInputError(
      `Task ${parent.id} is manageable as one unit (complexity score ${estimate.complexityScore}); its estimate suggests no subtasks to create`,
      {
        taskId: parent.id,
        complexityScore: estimate.complexityScore,
        recovery: 'Describe the task in more detail with updateTask (it is re-estimated), or create subtasks yourself with createTasks and parentTaskId.',
      },
    );
  }
  return estimate.subtaskPlan;
}
