import type { EntityManager } from '@mikro-orm/postgresql';
import { BadInputError } from '../domain/errors';
import { assertId, assertText, LIMITS } from '../domain/task-input';
import { REPORT_PROGRESS_SQL } from '../persistence/sql/progress.sql';
import { sql } from '../persistence/sql/run';
import type { ProgressEventPayload } from '../events/progress-channel';
import { assertAttempt, explainLeaseRefusal } from './lease-refusal';
import type { Task } from '../persistence/entities/task.entity';
import { toTasks } from '../persistence/sql/task-rows';
import type { LeaseGuard } from '../auth/principal';

export interface ProgressArgs {
  id: string;
  workerId: string;
  attempt?: number | null;
  percent: number;
  message?: string | null;
  /** A WORKER's own-lease guard (src/auth): the task must have been claimed with this token. */
  guard?: LeaseGuard | null;
}

const MAX_MESSAGE_LENGTH = 2_000;

/**
 * reportProgress: the lease holder's progress on its running attempt. One guarded statement
 * (progress.sql.ts), then the event goes to the progress channel (coalesced per task there),
 * not to the status event log.
 */
export async function reportProgress(em: EntityManager, publish: (e: ProgressEventPayload) => void, args: ProgressArgs): Promise<Task> {
  const id = assertId(args.id, 'id');
  const workerId = assertText(args.workerId, 'workerId', LIMITS.workerIdLength);
  const attempt = assertAttempt(args.attempt);
  if (typeof args.percent !== 'number' || !Number.isFinite(args.percent) || args.percent < 0 || args.percent > 100) {
    throw new BadInputError(`percent must be a number from 0 to 100, got ${args.percent}`, { field: 'percent' });
  }
  const message = args.message == null ? null : assertText(args.message, 'message', MAX_MESSAGE_LENGTH, { allowEmpty: true });
  const guard = args.guard ?? null;
  const token = guard?.tokenId ?? null;
  const rows = await sql(em, REPORT_PROGRESS_SQL, [
    args.percent,
    message,
    id,
    workerId,
    attempt,
    attempt,
    token,
    token,
  ]);
  const [task] = toTasks(rows);
  if (!task) throw await explainLeaseRefusal(em, { id, workerId, attempt, guard }, null);
  publish({ taskId: task.id, projectId: task.projectId, attempt: task.attempt, progress: task.progress as ProgressEventPayload['progress'] });
  return task;
}
