import type { EntityManager } from '@mikro-orm/postgresql';
import type { Task } from '../persistence/entities/task.entity';
import { Scheduler } from '../scheduler/scheduler';
import type { SchedulerDeps, TaskChange } from '../scheduler/context';
import type { Metrics } from './metrics';

/**
 * The Scheduler, counting what its use cases did: from the tasks they return where those show
 * it (claims, completions, failures, releases, decompositions, triggers, bulk results), and
 * otherwise from what the service reports after commit through `deps.tasksChanged` (creations
 * without idempotent repeats, cascaded cancels, retries by hand, schedule ticks, attempts the
 * sweeper ended). No extra SQL on any path. Claims and completions are counted per call after
 * the shared statement (coalescer.ts) has answered, so group commit is untouched. The hot paths
 * return only the columns their caller asked for; the few columns the counters read (project,
 * timestamps) are added to that selection once per selection.
 */
export class InstrumentedScheduler extends Scheduler {
  constructor(deps: SchedulerDeps, private readonly metrics: Metrics) {
    super({ ...deps, tasksChanged: (change) => (countChange(metrics, change), deps.tasksChanged?.(change)) });
  }

  override async claimTasks(em: EntityManager, args: Parameters<Scheduler['claimTasks']>[1]) {
    const tasks = await super.claimTasks(em, { ...args, fields: withCounted(args.fields) });
    // The stored id (lower case), whatever case the caller spelled it in: one label per project.
    const project = tasks[0]?.projectId ?? args.projectId;
    this.metrics.claimCalls.inc({ result: tasks.length > 0 ? 'hit' : 'empty' });
    if (tasks.length > 0) this.metrics.tasksClaimed.inc({ project }, tasks.length);
    for (const t of tasks) {
      if (t.retryCount === 0 && t.startedAt && t.createdAt) this.metrics.queueWait.observe({ project }, seconds(t.startedAt, t.createdAt));
    }
    return tasks;
  }

  override async completeTask(em: EntityManager, args: Parameters<Scheduler['completeTask']>[1]) {
    const task = await super.completeTask(em, { ...args, fields: withCounted(args.fields) });
    this.finished(task, 'completed');
    return task;
  }

  override async completeTasks(em: EntityManager, inputs: Parameters<Scheduler['completeTasks']>[1], returned?: Parameters<Scheduler['completeTasks']>[2], guard?: Parameters<Scheduler['completeTasks']>[3]) {
    // `guard`: access control's lease check (a WORKER token completes only what it claimed).
    const tasks = await super.completeTasks(em, inputs, returned ? { ...returned, fields: withCounted(returned.fields) } : returned, guard);
    for (const t of tasks) this.finished(t, 'completed');
    return tasks;
  }

  override async failTask(...args: Parameters<Scheduler['failTask']>) {
    const startedAt = Date.now();
    const task = await super.failTask(...args);
    const project = task.projectId;
    if (task.status === 'RETRYING') this.metrics.tasksRetried.inc({ project });
    else this.metrics.tasksFailed.inc({ project });
    if (task.startedAt) this.metrics.runDuration.observe({ project, outcome: 'failed' }, Math.max(0, (startedAt - new Date(task.startedAt).getTime()) / 1000));
    return task;
  }

  override async releaseTask(em: EntityManager, args: Parameters<Scheduler['releaseTask']>[1]) {
    const task = await super.releaseTask(em, { ...args, fields: withCounted(args.fields) });
    this.metrics.tasksReleased.inc({ project: task.projectId });
    return task;
  }

  override async releaseTasks(em: EntityManager, inputs: Parameters<Scheduler['releaseTasks']>[1], returned?: Parameters<Scheduler['releaseTasks']>[2], guard?: Parameters<Scheduler['releaseTasks']>[3]) {
    const tasks = await super.releaseTasks(em, inputs, returned ? { ...returned, fields: withCounted(returned.fields) } : returned, guard);
    for (const t of tasks) this.metrics.tasksReleased.inc({ project: t.projectId });
    return tasks;
  }

  override async decomposeTask(...args: Parameters<Scheduler['decomposeTask']>) {
    // The children were created inside decomposeTask's transaction: counted once it committed.
    const children = await super.decomposeTask(...args);
    for (const t of children) this.metrics.tasksCreated.inc({ project: t.projectId });
    return children;
  }

  override async triggerSchedule(...args: Parameters<Scheduler['triggerSchedule']>) {
    const task = await super.triggerSchedule(...args);
    this.metrics.tasksCreated.inc({ project: task.projectId });
    return task;
  }

  override async cancelTasks(...args: Parameters<Scheduler['cancelTasks']>) {
    const result = await super.cancelTasks(...args);
    // `changed`: the filter's tasks cancelled and the dependents a cascade cancelled, all of the
    // filter's project. (Batches committed before a later one failed are not counted.)
    if (!result.dryRun && result.changed > 0) this.metrics.tasksCancelled.inc({ project: args[1].filter.projectId!.toLowerCase() }, result.changed);
    return result;
  }

  override async retryTasks(...args: Parameters<Scheduler['retryTasks']>) {
    const result = await super.retryTasks(...args);
    // Only the FAILED tasks sent back are retries; unblocked ones (BLOCKED -> PENDING/READY) are not.
    if (!result.dryRun && result.retried) this.metrics.tasksRetried.inc({ project: args[1].filter.projectId!.toLowerCase() }, result.retried);
    return result;
  }

  private finished(task: Task, outcome: 'completed') {
    const project = task.projectId;
    this.metrics.tasksCompleted.inc({ project });
    if (task.startedAt && task.completedAt) this.metrics.runDuration.observe({ project, outcome }, seconds(task.completedAt, task.startedAt));
  }
}

/** A change the service reported after commit (SchedulerDeps.tasksChanged), on its counters. */
function countChange(metrics: Metrics, { kind, projectId: project, count, cause }: TaskChange): void {
  if (count <= 0) return;
  const counter = { created: metrics.tasksCreated, cancelled: metrics.tasksCancelled, retried: metrics.tasksRetried, failed: metrics.tasksFailed }[kind];
  counter.inc({ project }, count);
  if (cause === undefined || (kind !== 'retried' && kind !== 'failed')) return;
  const outcome = kind === 'retried' ? 'retry' : 'failed';
  (cause === 'lease_expired' ? metrics.leasesExpired : metrics.timeouts).inc({ project, outcome }, count);
}

const COUNTED_FIELDS = ['projectId', 'createdAt', 'startedAt', 'completedAt', 'retryCount'];
const withCountedCache = new WeakMap<object, string[]>();

/** The caller's field selection plus the counted fields; one array per selection (statement caches key on it). */
function withCounted(fields: Iterable<string> | undefined): Iterable<string> | undefined {
  if (!fields) return fields;
  let extended = withCountedCache.get(fields);
  if (!extended) {
    extended = [...new Set([...fields, ...COUNTED_FIELDS])];
    withCountedCache.set(fields, extended);
  }
  return extended;
}

function seconds(later: Date | string, earlier: Date | string): number {
  return Math.max(0, (new Date(later).getTime() - new Date(earlier).getTime()) / 1000);
}
