import type { EntityManager } from '@mikro-orm/postgresql';
import { BadInputError, InvalidTransitionError, LeaseNotHeldError, TaskNotFoundError } from '../domain/errors';
import { sql } from '../persistence/sql/run';
import type { LeaseGuard } from '../auth/principal';

export interface LeaseClaim {
  id: string;
  workerId: string | null;
  attempt?: number | null;
  /** A WORKER's own-lease guard (src/auth): the task must have been claimed with this token. */
  guard?: LeaseGuard | null;
}

/**
 * Why a guarded lease statement (heartbeat, complete, release, progress) changed nothing: the
 * task is gone or, for a WORKER token, in another project (TASK_NOT_FOUND: ids cannot be probed),
 * is not RUNNING (INVALID_TRANSITION towards `to`, or LEASE_NOT_HELD for calls that are not
 * transitions), or someone else holds it now: another worker, another token (src/auth "own
 * leases only"), or a later attempt of the same one (fencing).
 */
export async function explainLeaseRefusal(em: EntityManager, claim: LeaseClaim, to: string | null): Promise<Error> {
  const [row] = await sql<{ status: string; worker_id: string | null; attempt: number; project_id: string }>(
    em,
    'select status, worker_id, attempt, project_id::text from task where id = ?',
    [claim.id],
  );
  if (!row || (claim.guard?.projectId && row.project_id !== claim.guard.projectId)) return new TaskNotFoundError(claim.id);
  const staleAttempt = claim.attempt != null && row.attempt !== claim.attempt;
  if (row.status !== 'RUNNING' && to !== null && !staleAttempt) {
    return new InvalidTransitionError(row.status, to, {
      taskId: claim.id,
      recovery: row.status === to ? `The task is already ${to}; nothing to do.` : `Only a RUNNING task can become ${to}; claim it first.`,
    });
  }
  const error = new LeaseNotHeldError(claim.id, claim.workerId ?? '');
  Object.assign(error.extensions, { status: row.status, currentAttempt: row.attempt });
  if (claim.attempt != null) error.extensions.attempt = claim.attempt;
  if (staleAttempt) {
    error.message = `Attempt ${claim.attempt} of task ${claim.id} is over (the task is on attempt ${row.attempt}): its lease was lost and the task was claimed again`;
  }
  return error;
}

/** Validates an optional attempt argument (1-based whole number). */
export function assertAttempt(value: number | null | undefined): number | null {
  if (value == null) return null;
  if (!Number.isInteger(value) || value < 1) {
    throw new BadInputError(`attempt must be a whole number from 1, got ${value}`, { field: 'attempt' });
  }
  return value;
}
