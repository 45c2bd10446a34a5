import { InvalidTransitionError } from './errors';

export const TASK_STATUSES = [
  'PENDING',
  'READY',
  'RUNNING',
  'BLOCKED',
  'COMPLETED',
  'FAILED',
  'CANCELLED',
  'RETRYING',
  'SCHEDULED',
] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/**
 * The state machine of DESIGN.md: from -> the statuses it may move to. SCHEDULED (Part 2) sits
 * between PENDING and READY for a task whose `runAt` is still ahead.
 *
 * One addition, READY -> PENDING: a READY task that gains unfinished dependencies must wait
 * again, the mirror of PENDING -> READY. Only decomposeTask takes it (the parent comes to depend
 * on its new children), and it does so holding the parent's row lock, which the claim's
 * `FOR UPDATE SKIP LOCKED` skips: no worker can take the task while it changes.
 */
const TRANSITIONS: Record<TaskStatus, readonly TaskStatus[]> = {
  PENDING: ['READY', 'SCHEDULED', 'BLOCKED', 'CANCELLED'],
  READY: ['RUNNING', 'PENDING', 'CANCELLED'],
  RUNNING: ['COMPLETED', 'FAILED', 'RETRYING', 'BLOCKED', 'CANCELLED'],
  RETRYING: ['READY', 'RUNNING', 'CANCELLED'],
  FAILED: ['RETRYING', 'CANCELLED'],
  BLOCKED: ['READY', 'SCHEDULED', 'PENDING', 'CANCELLED'],
  // Dependencies done, waiting for runAt. Like READY, it goes back to PENDING when it gains an
  // unfinished dependency (addDependency, decomposeTask).
  SCHEDULED: ['READY', 'PENDING', 'CANCELLED'],
  COMPLETED: [],
  CANCELLED: [],
};

export const TERMINAL_STATUSES: readonly TaskStatus[] = ['COMPLETED', 'CANCELLED'];
/** A dependency in one of these can never complete on its own: its dependents are blocked. */
export const BLOCKING_DEPENDENCY_STATUSES: readonly TaskStatus[] = ['FAILED', 'CANCELLED'];

export function isTaskStatus(value: string): value is TaskStatus {
  return (TASK_STATUSES as readonly string[]).includes(value);
}

export function isTerminal(status: TaskStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

export function canTransition(from: TaskStatus, to: TaskStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Statuses from which `to` can be reached: the guard of `UPDATE … WHERE status = ANY(…)`. */
export function statusesLeadingTo(to: TaskStatus): TaskStatus[] {
  return TASK_STATUSES.filter((from) => canTransition(from, to));
}

/**
 * Checks a transition requested through the API. Re-applying the current status is refused
 * here (completing a COMPLETED task is an error for a client); the scheduler's internal
 * promotions use `canTransition` and treat "already there" as a no-op.
 */
export function assertTransition(from: TaskStatus, to: TaskStatus, taskId?: string): void {
  if (!canTransition(from, to)) {
    throw new InvalidTransitionError(from, to, taskId === undefined ? {} : { taskId });
  }
}

/**
 * The status a task waiting on dependencies should have: READY when all are COMPLETED, BLOCKED
 * when one can never complete, else PENDING.
 */
export function statusFromDependencies(dependencyStatuses: readonly TaskStatus[]): 'READY' | 'PENDING' | 'BLOCKED' {
  if (dependencyStatuses.some((s) => BLOCKING_DEPENDENCY_STATUSES.includes(s) || s === 'BLOCKED')) return 'BLOCKED';
  if (dependencyStatuses.every((s) => s === 'COMPLETED')) return 'READY';
  return 'PENDING';
}
