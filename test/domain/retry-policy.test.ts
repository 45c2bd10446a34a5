import { describe, expect, it } from 'vitest';
import { backoffSeconds, decideFailure, DEFAULT_RETRY_POLICY, isRetryableError, validateRetryPolicy } from '../../src/domain/retry-policy';

const now = new Date('2026-01-01T00:00:00Z');

describe('retry policy', () => {
  it('backs off 60, 120, 240, 480 seconds by default', () => {
    expect([0, 1, 2, 3].map((n) => backoffSeconds(n))).toEqual([60, 120, 240, 480]);
  });

  it('caps the delay at maxDelaySeconds', () => {
    expect(backoffSeconds(10, { ...DEFAULT_RETRY_POLICY, maxDelaySeconds: 900 })).toBe(900);
  });

  it('jitter spreads the delay within ±jitter × delay, deterministically for a given random source', () => {
    const policy = { ...DEFAULT_RETRY_POLICY, jitter: 0.5 };
    expect(backoffSeconds(0, policy, () => 0)).toBe(30);
    expect(backoffSeconds(0, policy, () => 0.5)).toBe(60);
    expect(backoffSeconds(0, policy, () => 0.999999)).toBeCloseTo(90, 3);
  });

  it('does not retry validation, authentication, not-found, invalid and permission errors (case-insensitive)', () => {
    expect(isRetryableError('Connection timeout')).toBe(true);
    for (const m of ['Validation failed', 'AUTHENTICATION required', 'user not found', 'Invalid input', 'Permission denied']) {
      expect(isRetryableError(m)).toBe(false);
    }
  });

  it('retries with one more attempt, the backoff and the priority lowered by one', () => {
    expect(decideFailure({ retryCount: 0, maxRetries: 3, priority: 8, error: 'timeout', now })).toEqual({
      kind: 'retry',
      retryCount: 1,
      retryAt: new Date('2026-01-01T00:01:00Z'),
      priority: 7,
    });
    expect(decideFailure({ retryCount: 2, maxRetries: 3, priority: 1, error: 'timeout', now })).toMatchObject({ retryCount: 3, priority: 1, retryAt: new Date('2026-01-01T00:04:00Z') });
  });

  it('fails for good past maxRetries or when not retryable; an explicit retryable wins over the message', () => {
    expect(decideFailure({ retryCount: 3, maxRetries: 3, priority: 5, error: 'timeout', now })).toEqual({ kind: 'fail', reason: 'max_retries_reached' });
    expect(decideFailure({ retryCount: 0, maxRetries: 3, priority: 5, error: 'validation error', now })).toEqual({ kind: 'fail', reason: 'not_retryable' });
    expect(decideFailure({ retryCount: 0, maxRetries: 3, priority: 5, error: 'validation error', retryable: true, now }).kind).toBe('retry');
    expect(decideFailure({ retryCount: 0, maxRetries: 3, priority: 5, error: 'timeout', retryable: false, now }).kind).toBe('fail');
  });

  it('validates a per-task policy', () => {
    expect(validateRetryPolicy({ initialDelaySeconds: 5 })).toBeNull();
    expect(validateRetryPolicy({ backoffCoefficient: 0.5 })).toMatch(/backoffCoefficient/);
    expect(validateRetryPolicy({ jitter: 2 })).toMatch(/jitter/);
    expect(validateRetryPolicy({ initialDelaySeconds: 100, maxDelaySeconds: 10 })).toMatch(/maxDelaySeconds/);
  });
});
