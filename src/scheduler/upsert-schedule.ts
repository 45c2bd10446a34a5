import type { EntityManager } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { CatchUpPolicy, nextFireAfter, OverlapPolicy, validateCronSpec } from '../domain/cron-schedule';
import { BadInputError } from '../domain/errors';
import { assertText, validateTaskInput } from '../domain/task-input';
import { sql } from '../persistence/sql/run';
import { inTransaction, SchedulerDeps } from './context';
import { requireProject } from './projects';
import { SCHEDULE_COLUMNS, ScheduleTemplate, ScheduleView, toScheduleView } from './schedule-rows';

export interface UpsertScheduleArgs {
  projectId: string;
  name: string;
  cron: string;
  timezone?: string | null;
  task: ScheduleTemplate;
  overlap?: OverlapPolicy | null;
  catchUp?: CatchUpPolicy | null;
  paused?: boolean | null;
}

/** Refuses a template that could not become a task, before any tick tries. */
function validateTemplate(projectId: string, t: ScheduleTemplate, now: Date): ScheduleTemplate {
  try {
    validateTaskInput({ projectId, ...t }, now);
  } catch (e) {
    if (e instanceof BadInputError) {
      const field = typeof e.extensions.field === 'string' ? `task.${e.extensions.field}` : 'task';
      throw new BadInputError(`task: ${e.message}`, { ...e.extensions, field });
    }
    throw e;
  }
  const { title, description, priority, context, metadata, maxRetries, assignedTo, timeoutSeconds, concurrencyKey } = t;
  return { title, description, priority, context, metadata, maxRetries, assignedTo, timeoutSeconds, concurrencyKey };
}

/**
 * upsertSchedule: creates the schedule named `name` in the project or replaces its settings.
 * The next tick is computed afresh from now (ticks missed while paused are not replayed).
 */
export async function upsertSchedule(em: EntityManager, deps: SchedulerDeps, args: UpsertScheduleArgs): Promise<ScheduleView> {
  const name = assertText(args.name, 'name', 200).trim();
  const spec = validateCronSpec({ cron: args.cron, timezone: args.timezone ?? 'UTC' });
  const project = await requireProject(em, args.projectId);
  const task = validateTemplate(project.id, args.task, deps.now());
  const paused = args.paused ?? false;
  const nextRunAt = nextFireAfter(spec, deps.now());
  const view = await inTransaction(em, deps, async (tem) => {
    const [row] = await sql<Record<string, any>>(
      tem,
      `insert into schedule (id, project_id, name, cron, timezone, task, overlap, catch_up, paused, next_run_at)
       values (?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?)
       on conflict (project_id, name) do update
         set cron = excluded.cron, timezone = excluded.timezone, task = excluded.task, overlap = excluded.overlap,
             catch_up = excluded.catch_up, paused = excluded.paused, next_run_at = excluded.next_run_at, updated_at = now()
       returning ${SCHEDULE_COLUMNS}`,
      [randomUUID(), project.id, name, spec.cron, spec.timezone, JSON.stringify(task), args.overlap ?? 'SKIP', args.catchUp ?? 'LATEST', paused, nextRunAt],
    );
    return toScheduleView(row!);
  });
  if (view.nextRunAt) deps.runAtScheduled?.(view.nextRunAt);
  return view;
}
