import type { EntityManager } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { BadInputError, ProjectNotFoundError, TaskDependencyError } from '../domain/errors';
import { findCycles, topologicalLevels } from '../domain/dependency-graph';
import { deadlineOf, effectivePriority } from '../domain/effective-priority';
import { LIMITS, NewTaskInput, ValidTaskInput, validateTaskInput } from '../domain/task-input';
import { statusFromDependencies, TaskStatus } from '../domain/task-status';
import { Task } from '../persistence/entities/task.entity';
import { TaskDependency } from '../persistence/entities/task-dependency.entity';
import { REFRESH_EFFECTIVE_PRIORITY_SQL } from '../persistence/sql/effective-priority.sql';
import { recordTransitions, sql } from '../persistence/sql/run';
import { inTransaction, SchedulerDeps } from './context';
import { estimateTask } from './task-estimate';

interface Planned {
  input: ValidTaskInput;
  id: string;
  /** Ids of every dependency: existing tasks and tasks of this batch. */
  dependsOn: string[];
}

/**
 * createTask / createTasks: a whole DAG in one transaction, all or nothing. Inputs may refer to
 * each other by `key` (dependencyKeys) and to existing tasks by id (dependencies).
 */
export async function createTasks(em: EntityManager, deps: SchedulerDeps, rawInputs: NewTaskInput[]): Promise<Task[]> {
  if (rawInputs.length === 0) throw new BadInputError('inputs must contain at least one task');
  if (rawInputs.length > LIMITS.batchSize) throw new BadInputError(`at most ${LIMITS.batchSize} tasks per createTasks call; split the batch`);
  const inputs = rawInputs.map((raw, i) => {
    try {
      return validateTaskInput(raw);
    } catch (e) {
      if (e instanceof BadInputError && rawInputs.length > 1) throw new BadInputError(`inputs[${i}]: ${e.message}`, { ...e.extensions, index: i });
      throw e;
    }
  });
  const planned = planBatch(inputs);

  return inTransaction(em, deps, async (tem) => {
    const projectIds = [...new Set(inputs.map((i) => i.projectId))];
    const projects = await sql<{ id: string }>(tem, 'select id::text from project where id = any(?::uuid[])', [projectIds]);
    const missingProject = projectIds.find((p) => !projects.some((r) => r.id === p));
    if (missingProject) throw new ProjectNotFoundError(missingProject);

    const existingIds = [...new Set(inputs.flatMap((i) => [...i.dependencies, ...(i.parentTaskId ? [i.parentTaskId] : [])]))];
    // Lock the existing dependencies (shared) so none fails or is cancelled while we decide.
    const existing = existingIds.length
      ? await sql<{ id: string; project_id: string; status: TaskStatus }>(
          tem,
          'select id::text, project_id::text, status from task where id = any(?::uuid[]) order by id for share',
          [existingIds],
        )
      : [];
    const byId = new Map(existing.map((r) => [r.id, r]));
    for (const p of planned) {
      for (const dep of p.input.dependencies) {
        const row = byId.get(dep);
        if (!row) throw new TaskDependencyError(`Dependency ${dep} not found`, p.id, [p.id, `dependency ${dep} not found`]);
        if (row.project_id !== p.input.projectId) {
          throw new TaskDependencyError(`Dependency ${dep} belongs to another project`, p.id, [p.id, `dependency ${dep} is in project ${row.project_id}`]);
        }
      }
      const parent = p.input.parentTaskId;
      if (parent && byId.get(parent)?.project_id !== p.input.projectId) {
        throw new BadInputError(`parentTaskId ${parent} is not a task of project ${p.input.projectId}`, { field: 'parentTaskId' });
      }
    }

    // Statuses in dependency order, so a task behind a BLOCKED batch task is BLOCKED too.
    const statusOf = new Map<string, TaskStatus>(existing.map((r) => [r.id, r.status]));
    const plannedById = new Map(planned.map((p) => [p.id, p]));
    const batchDeps = new Map(planned.map((p) => [p.id, p.dependsOn.filter((d) => plannedById.has(d))]));
    const order = topologicalLevels([...plannedById.keys()], batchDeps).levels.flat();
    for (const id of order) {
      const p = plannedById.get(id)!;
      statusOf.set(id, p.dependsOn.length === 0 ? 'READY' : statusFromDependencies(p.dependsOn.map((d) => statusOf.get(d)!)));
    }

    const now = deps.now();
    const dependedOn = new Set(planned.flatMap((p) => p.dependsOn));
    const tasks = planned.map((p) => {
      const deadline = deadlineOf(p.input.metadata);
      const status = statusOf.get(p.id)!;
      const metadata = status === 'BLOCKED' ? { ...p.input.metadata, reason: 'a dependency failed or was cancelled' } : p.input.metadata;
      return tem.create(Task, {
        id: p.id,
        projectId: p.input.projectId,
        title: p.input.title,
        description: p.input.description,
        priority: p.input.priority,
        effectivePriority: effectivePriority({ priority: p.input.priority, deadline, hasDependents: dependedOn.has(p.id), now }),
        status,
        waitingOn: p.dependsOn.filter((d) => statusOf.get(d) !== 'COMPLETED').length,
        context: p.input.context,
        metadata,
        maxRetries: p.input.maxRetries,
        assignedTo: p.input.assignedTo,
        parentTaskId: p.input.parentTaskId,
        deadlineAt: deadline,
        retryPolicy: p.input.retryPolicy,
        complexity: estimateTask(deps, { id: p.id, title: p.input.title, description: p.input.description }, p.dependsOn, now),
        createdAt: now,
        updatedAt: now,
      });
    });
    // Tasks first: the edge entity has no ORM relation to Task, so the unit of work cannot order
    // the inserts by itself.
    await tem.flush();
    for (const p of planned) for (const dep of p.dependsOn) tem.create(TaskDependency, { taskId: p.id, dependsOnId: dep });
    await tem.flush();

    const gainedDependents = existing.filter((r) => dependedOn.has(r.id)).map((r) => r.id);
    if (gainedDependents.length) await sql(tem, REFRESH_EFFECTIVE_PRIORITY_SQL, [gainedDependents]);
    await recordTransitions(
      tem,
      tasks.map((t) => ({ taskId: t.id, projectId: t.projectId, previousStatus: null, status: t.status })),
    );
    return tasks;
  });
}

/** Assigns ids, resolves `dependencyKeys` within the batch and refuses cycles among them. */
function planBatch(inputs: ValidTaskInput[]): Planned[] {
  const planned: Planned[] = inputs.map((input) => ({ input, id: randomUUID() as string, dependsOn: [...input.dependencies] }));
  const byKey = new Map<string, Planned>();
  for (const p of planned) {
    if (p.input.key === null) continue;
    if (byKey.has(p.input.key)) throw new BadInputError(`key "${p.input.key}" is used by more than one input; keys must be unique within one call`, { key: p.input.key });
    byKey.set(p.input.key, p);
  }
  for (const p of planned) {
    for (const key of p.input.dependencyKeys) {
      const target = byKey.get(key);
      if (!target) throw new TaskDependencyError(`Dependency key "${key}" not found in this batch`, p.id, [p.input.key ?? p.id, `dependency key ${key} not found`]);
      if (target === p) throw new TaskDependencyError(`Task "${key}" cannot depend on itself`, p.id, [key, key]);
      if (target.input.projectId !== p.input.projectId) throw new TaskDependencyError(`Dependency key "${key}" is in another project`, p.id, [p.input.key ?? p.id, key]);
      p.dependsOn.push(target.id);
    }
  }
  const keyOf = new Map(planned.map((p) => [p.id, p.input.key ?? p.id]));
  const cycles = findCycles(new Map(planned.map((p) => [p.id, p.dependsOn.filter((d) => keyOf.has(d))])), 1);
  if (cycles.length > 0) {
    const chain = cycles[0]!.map((id) => keyOf.get(id)!);
    throw new TaskDependencyError(`Circular dependency: ${[...chain, chain[0]].join(' -> ')}`, cycles[0]![0]!, [...chain, chain[0]!]);
  }
  return planned;
}
