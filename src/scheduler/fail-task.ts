import type { EntityManager } from '@mikro-orm/postgresql';
import { InvalidTransitionError, LeaseNotHeldError, TaskNotFoundError } from '../domain/errors';
import type { LeaseGuard } from '../auth/principal';
import { decideFailure, DEFAULT_RETRY_POLICY } from '../domain/retry-policy';
import { assertText } from '../domain/task-input';
import { Task } from '../persistence/entities/task.entity';
import { recordTransitions } from '../persistence/sql/run';
import { inTransaction, SchedulerDeps } from './context';
import { blockWaitingDescendants } from './descendants';
import { lockTask } from './load-task';

export interface FailArgs {
  id: string;
  workerId?: string | null;
  error: string;
  retryable?: boolean | null;
  /** A WORKER's own-lease guard (src/auth): the task must have been claimed with this token. */
  guard?: LeaseGuard | null;
}

/**
 * RUNNING -> RETRYING (an attempt charged, backoff, priority lowered by one) or FAILED, in which
 * case everything waiting on the task becomes BLOCKED. The decision is the pure retry policy's.
 */
export async function failTask(em: EntityManager, deps: SchedulerDeps, args: FailArgs): Promise<Task> {
  const error = assertText(args.error, 'error', 10_000);
  const failed = await inTransaction(em, deps, async (tem) => {
    const task = await lockTask(tem, args.id);
    if (args.guard?.projectId && task.projectId !== args.guard.projectId) throw new TaskNotFoundError(task.id);
    if (args.guard && task.status === 'RUNNING' && task.claimedByTokenId !== args.guard.tokenId) throw new LeaseNotHeldError(task.id, args.workerId ?? '');
    if (task.status !== 'RUNNING') {
      throw new InvalidTransitionError(task.status, 'FAILED', { taskId: task.id, recovery: 'Only a RUNNING task can be failed.' });
    }
    if (args.workerId != null && task.workerId !== args.workerId) throw new LeaseNotHeldError(task.id, args.workerId);
    const now = deps.now();
    const outcome = decideFailure({
      retryCount: task.retryCount,
      maxRetries: task.maxRetries,
      priority: task.priority,
      error,
      retryable: args.retryable,
      policy: { ...DEFAULT_RETRY_POLICY, ...(task.retryPolicy ?? {}) },
      now,
    });
    // JSON is changed in place: MikroORM's snapshot diff persists it on flush.
    task.metadata.error = error;
    task.metadata.failedAt = now.toISOString();
    task.workerId = null;
    task.leaseExpiresAt = null;
    if (outcome.kind === 'retry') {
      task.status = 'RETRYING';
      task.retryCount = outcome.retryCount;
      // The penalty lowers the stored priority; the derived claim key follows it by the same step.
      task.effectivePriority -= task.priority - outcome.priority;
      task.priority = outcome.priority;
      task.availableAt = outcome.retryAt;
      task.metadata.retryAt = outcome.retryAt.toISOString();
    } else {
      task.status = 'FAILED';
      task.metadata.failureReason = outcome.reason;
      delete task.metadata.retryAt;
    }
    await tem.flush();
    await recordTransitions(tem, [{ taskId: task.id, projectId: task.projectId, previousStatus: 'RUNNING', status: task.status }]);
    if (task.status === 'FAILED') await blockWaitingDescendants(tem, [task.id], `dependency ${task.id} failed: ${error.slice(0, 200)}`);
    return task;
  });
  if (failed.status === 'RETRYING' && failed.availableAt) deps.retryScheduled?.(failed.availableAt);
  return failed;
}
