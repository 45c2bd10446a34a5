import type { EntityManager } from '@mikro-orm/postgresql';
import type { NewTaskInput } from '../domain/task-input';
import { ReturnedFields, SchedulerDeps } from './context';
import { createTasks } from './create-tasks';
import { claimCoalescer, claimTasks, ClaimArgs } from './claim-tasks';
import { completeCoalescer, completeTask, completeTasks, CompleteArgs } from './complete-tasks';
import { heartbeatTask } from './heartbeat-task';
import { failTask, FailArgs } from './fail-task';
import { retryTask } from './retry-task';
import { cancelTask } from './cancel-task';
import { updateTaskPriority } from './update-priority';
import { addDependency, removeDependency } from './dependencies';
import { updateTask } from './update-task';
import { decomposeTask } from './decompose-task';
import type { TaskUpdateInput } from '../domain/task-update';
import type { LeaseGuard } from '../auth/principal';

/**
 * The service layer: one method per use case, each its own transaction (see the files named
 * after them). Resolvers call this and nothing below it.
 */
export class Scheduler {
  /** Concurrent claims and completions share statements (coalescer.ts): this instance's queues. */
  readonly claims;
  readonly completions;

  constructor(readonly deps: SchedulerDeps) {
    this.claims = claimCoalescer(deps);
    this.completions = completeCoalescer(deps);
  }

  createTasks(em: EntityManager, inputs: NewTaskInput[]) {
    return createTasks(em, this.deps, inputs);
  }
  async createTask(em: EntityManager, input: NewTaskInput) {
    return (await createTasks(em, this.deps, [input]))[0]!;
  }
  claimTasks(em: EntityManager, args: ClaimArgs) {
    return claimTasks(em, this.deps, args, this.claims);
  }
  heartbeatTask(em: EntityManager, args: { id: string; workerId: string; leaseSeconds?: number | null; guard?: LeaseGuard | null } & ReturnedFields) {
    return heartbeatTask(em, this.deps, args);
  }
  completeTask(em: EntityManager, args: CompleteArgs & ReturnedFields & { guard?: LeaseGuard | null }) {
    return completeTask(em, this.deps, args, this.completions);
  }
  completeTasks(em: EntityManager, inputs: CompleteArgs[], returned?: ReturnedFields, guard?: LeaseGuard | null) {
    return completeTasks(em, this.deps, inputs, returned, guard ?? null);
  }
  failTask(em: EntityManager, args: FailArgs) {
    return failTask(em, this.deps, args);
  }
  retryTask(em: EntityManager, id: string) {
    return retryTask(em, this.deps, id);
  }
  cancelTask(em: EntityManager, args: { id: string; reason: string; cascade?: boolean | null }) {
    return cancelTask(em, this.deps, args);
  }
  updateTaskPriority(em: EntityManager, args: { id: string; priority: number }) {
    return updateTaskPriority(em, this.deps, args);
  }
  addDependency(em: EntityManager, args: { taskId: string; dependsOn: string }) {
    return addDependency(em, this.deps, args);
  }
  removeDependency(em: EntityManager, args: { taskId: string; dependsOn: string }) {
    return removeDependency(em, this.deps, args);
  }
  updateTask(em: EntityManager, args: { id: string; input: TaskUpdateInput }) {
    return updateTask(em, this.deps, args);
  }
  decomposeTask(em: EntityManager, id: string, guard?: LeaseGuard | null) {
    return decomposeTask(em, this.deps, id, guard ?? null);
  }
}
