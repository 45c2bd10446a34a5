import { BadInputError } from './errors';
import { assertText, LIMITS } from './task-input';

/** Flow control rules (issue #16): pure checks of concurrency limits and bulk filters. */

export const MAX_CONCURRENCY_LIMIT = 1_000_000;

export function assertConcurrencyKey(value: string, field = 'key'): string {
  return assertText(value, field, LIMITS.concurrencyKeyLength);
}

/** null removes the limit; 0 is allowed (nothing with that key starts: a per-key pause). */
export function assertConcurrencyLimit(value: number | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  if (!Number.isInteger(value) || value < 0 || value > MAX_CONCURRENCY_LIMIT) {
    throw new BadInputError(`limit must be a whole number from 0 to ${MAX_CONCURRENCY_LIMIT} (or null to remove the limit), got ${value}`, { field: 'limit' });
  }
  return value;
}

/** Bulk actions act on one project at a time: a filter without one would reach every project. */
export function requireFilterProject(filter: { projectId?: string | null }): string {
  if (!filter.projectId) {
    throw new BadInputError('filter.projectId is required for bulk actions (they act on one project at a time)', { field: 'filter.projectId' });
  }
  return filter.projectId;
}

/** Statuses a cancel changes (every non-terminal one) and a retry changes (as retryTask). */
export const CANCELLABLE_STATUSES = ['PENDING', 'READY', 'RUNNING', 'BLOCKED', 'FAILED', 'RETRYING', 'SCHEDULED'] as const;
export const RETRYABLE_STATUSES = ['FAILED', 'BLOCKED'] as const;
