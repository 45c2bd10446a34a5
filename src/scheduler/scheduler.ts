import type { EntityManager } from '@mikro-orm/postgresql';
import type { NewTaskInput } from '../domain/task-input';
import { ReturnedFields, SchedulerDeps } from './context';
import { createCoalescer, createTasks } from './create-tasks';
import { claimCoalescer, claimTasks, ClaimArgs } from './claim-tasks';
import { completeCoalescer, completeTask, completeTasks, CompleteArgs } from './complete-tasks';
import { heartbeatTask, heartbeatTasks, HeartbeatArgs } from './heartbeat-task';
import { releaseTask, releaseTasks, ReleaseArgs } from './release-tasks';
import { reportProgress, ProgressArgs } from './report-progress';
import { failTask, FailArgs } from './fail-task';
import { retryTask } from './retry-task';
import { cancelTask } from './cancel-task';
import { updateTaskPriority } from './update-priority';
import { addDependency, removeDependency } from './dependencies';
import { updateTask } from './update-task';
import { decomposeTask } from './decompose-task';
import type { TaskUpdateInput } from '../domain/task-update';
import { upsertSchedule, UpsertScheduleArgs } from './upsert-schedule';
import { listSchedules } from './list-schedules';
import { deleteSchedule } from './delete-schedule';
import { triggerSchedule } from './trigger-schedule';
import { cancelTasks, retryTasks } from './bulk-tasks';
import { listConcurrencyLimits, setConcurrencyLimit } from './concurrency-limits';
import { setProjectPaused } from './pause-project';
import type { TaskFilter } from './task-queries';
import type { LeaseGuard } from '../auth/principal';

/**
 * The service layer: one method per use case, each its own transaction (see the files named
 * after them). Resolvers call this and nothing below it.
 */
export class Scheduler {
  /** Concurrent claims and completions share statements (coalescer.ts): this instance's queues. */
  readonly claims;
  readonly completions;
  readonly creations;

  constructor(readonly deps: SchedulerDeps) {
    this.claims = claimCoalescer(deps);
    this.completions = completeCoalescer(deps);
    this.creations = createCoalescer(deps);
  }

  createTasks(em: EntityManager, inputs: NewTaskInput[], returned?: ReturnedFields) {
    return createTasks(em, this.deps, inputs, this.creations, returned);
  }
  async createTask(em: EntityManager, input: NewTaskInput, returned?: ReturnedFields) {
    return (await createTasks(em, this.deps, [input], this.creations, returned))[0]!;
  }
  claimTasks(em: EntityManager, args: ClaimArgs) {
    return claimTasks(em, this.deps, args, this.claims);
  }
  heartbeatTask(em: EntityManager, args: HeartbeatArgs & ReturnedFields & { guard?: LeaseGuard | null }) {
    return heartbeatTask(em, this.deps, args);
  }
  heartbeatTasks(em: EntityManager, inputs: HeartbeatArgs[], returned?: ReturnedFields, guard?: LeaseGuard | null) {
    return heartbeatTasks(em, this.deps, inputs, returned, guard ?? null);
  }
  releaseTask(em: EntityManager, args: ReleaseArgs & ReturnedFields & { guard?: LeaseGuard | null }) {
    return releaseTask(em, this.deps, args);
  }
  releaseTasks(em: EntityManager, inputs: ReleaseArgs[], returned?: ReturnedFields, guard?: LeaseGuard | null) {
    return releaseTasks(em, this.deps, inputs, returned, guard ?? null);
  }
  reportProgress(em: EntityManager, args: ProgressArgs) {
    return reportProgress(em, (e) => this.deps.progressReported?.(e), args);
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
  listSchedules(em: EntityManager, projectId: string) {
    return listSchedules(em, projectId);
  }
  upsertSchedule(em: EntityManager, args: UpsertScheduleArgs) {
    return upsertSchedule(em, this.deps, args);
  }
  deleteSchedule(em: EntityManager, id: string) {
    return deleteSchedule(em, this.deps, id);
  }
  triggerSchedule(em: EntityManager, id: string) {
    return triggerSchedule(em, this.deps, id);
  }
  // Flow control (issue #16)
  setProjectPaused(em: EntityManager, id: string, paused: boolean) {
    return setProjectPaused(em, id, paused);
  }
  setConcurrencyLimit(em: EntityManager, args: { projectId: string; key: string; limit?: number | null }) {
    return setConcurrencyLimit(em, args);
  }
  listConcurrencyLimits(em: EntityManager, projectId: string) {
    return listConcurrencyLimits(em, projectId);
  }
  cancelTasks(em: EntityManager, args: { filter: TaskFilter; reason: string; cascade?: boolean | null; dryRun?: boolean | null }) {
    return cancelTasks(em, this.deps, args);
  }
  retryTasks(em: EntityManager, args: { filter: TaskFilter; dryRun?: boolean | null }) {
    return retryTasks(em, this.deps, args);
  }
}
