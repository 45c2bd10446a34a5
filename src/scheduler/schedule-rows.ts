import type { EntityManager } from '@mikro-orm/postgresql';
import type { CatchUpPolicy, OverlapPolicy } from '../domain/cron-schedule';
import { tickKey } from '../domain/cron-schedule';
import type { NewTaskInput } from '../domain/task-input';
import type { Task } from '../persistence/entities/task.entity';
import { sql } from '../persistence/sql/run';
import type { SchedulerDeps } from './context';
import { createTasks } from './create-tasks';

/** What a schedule creates at each tick (ScheduleTaskTemplate). */
export interface ScheduleTemplate {
  title: string;
  description?: string | null;
  priority?: number | null;
  context?: Record<string, unknown> | null;
  metadata?: Record<string, unknown> | null;
  maxRetries?: number | null;
  assignedTo?: string | null;
  timeoutSeconds?: number | null;
  concurrencyKey?: string | null;
}

export interface ScheduleView {
  id: string;
  projectId: string;
  name: string;
  cron: string;
  timezone: string;
  overlap: OverlapPolicy;
  catchUp: CatchUpPolicy;
  paused: boolean;
  /** Null while paused: nothing will fire. */
  nextRunAt: Date | null;
  lastRunAt: Date | null;
  task: ScheduleTemplate;
}

export const SCHEDULE_COLUMNS = `id::text, project_id::text, name, cron, timezone, overlap, catch_up, paused, next_run_at, last_run_at, task`;

/** The pg driver returns timestamps as strings through knex.raw (MikroORM's type parsers). */
export function toDate(v: Date | string | null): Date | null {
  return v === null ? null : new Date(v);
}

export function toScheduleView(r: Record<string, any>): ScheduleView {
  return {
    id: r.id,
    projectId: r.project_id,
    name: r.name,
    cron: r.cron,
    timezone: r.timezone,
    overlap: r.overlap,
    catchUp: r.catch_up,
    paused: r.paused,
    nextRunAt: r.paused ? null : toDate(r.next_run_at),
    lastRunAt: toDate(r.last_run_at),
    task: r.task,
  };
}

/**
 * Creates the task of one tick inside the caller's transaction (through createTasks, so it is
 * validated, logged and announced like any other), stamped with `runAt` = the tick and the tick's
 * unique idempotency key, and records it as the schedule's last run. Returns null when the tick
 * already has its task (the unique key says so), creating nothing.
 */
export async function createTickTask(
  tem: EntityManager,
  deps: SchedulerDeps,
  schedule: { id: string; projectId: string; task: ScheduleTemplate },
  fireAt: Date,
): Promise<Task | null> {
  const key = tickKey(schedule.id, fireAt);
  const [exists] = await sql(tem, 'select 1 from task where project_id = ? and idempotency_key = ?', [schedule.projectId, key]);
  if (exists) return null;
  const t = schedule.task;
  const input: NewTaskInput = {
    projectId: schedule.projectId,
    title: t.title,
    description: t.description ?? null,
    priority: t.priority ?? null,
    context: t.context ?? null,
    metadata: { ...(t.metadata ?? {}), scheduleId: schedule.id, scheduledFor: fireAt.toISOString() },
    maxRetries: t.maxRetries ?? null,
    assignedTo: t.assignedTo ?? null,
    timeoutSeconds: t.timeoutSeconds ?? null,
    concurrencyKey: t.concurrencyKey ?? null,
    runAt: fireAt,
    idempotencyKey: key,
  };
  const [task] = await createTasks(tem, deps, [input]);
  await sql(tem, 'update schedule set last_run_at = ?, last_task_id = ?, updated_at = now() where id = ?', [fireAt, task!.id, schedule.id]);
  return task!;
}
