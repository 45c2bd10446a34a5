/** Task statuses in the order the legend shows them, with their colours (see styles.css). */
export const STATUSES = ['PENDING', 'SCHEDULED', 'READY', 'RUNNING', 'RETRYING', 'BLOCKED', 'FAILED', 'CANCELLED', 'COMPLETED'] as const;
export type TaskStatus = (typeof STATUSES)[number];

export const STATUS_DESCRIPTIONS: Record<TaskStatus, string> = {
  PENDING: 'waiting for dependencies',
  SCHEDULED: 'waiting for its run-at time',
  READY: 'can be claimed',
  RUNNING: 'claimed by a worker',
  RETRYING: 'failed, will be retried',
  BLOCKED: 'a dependency failed or was cancelled',
  FAILED: 'failed for good',
  CANCELLED: 'cancelled',
  COMPLETED: 'done',
};

export function isTaskStatus(value: unknown): value is TaskStatus {
  return typeof value === 'string' && (STATUSES as readonly string[]).includes(value);
}
