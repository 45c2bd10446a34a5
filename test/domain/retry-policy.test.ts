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

describe('retry policy limits', () => {
  it('accepts each bound itself', () => {
    expect(validateRetryPolicy({ initialDelaySeconds: 0 })).toBeNull();
    expect(validateRetryPolicy({ initialDelaySeconds: 604_800, maxDelaySeconds: 604_800 })).toBeNull();
    expect(validateRetryPolicy({ backoffCoefficient: 1 })).toBeNull();
    expect(validateRetryPolicy({ backoffCoefficient: 10 })).toBeNull();
    expect(validateRetryPolicy({ initialDelaySeconds: 30, maxDelaySeconds: 30 })).toBeNull();
    expect(validateRetryPolicy({ maxDelaySeconds: 2_592_000 })).toBeNull();
    expect(validateRetryPolicy({ jitter: 0 })).toBeNull();
    expect(validateRetryPolicy({ jitter: 1 })).toBeNull();
  });

  it('refuses just past each bound, and NaN, with the rule in the message', () => {
    const initial = 'initialDelaySeconds must be between 0 and 604800';
    const coefficient = 'backoffCoefficient must be between 1 and 10';
    const max = 'maxDelaySeconds must be at least initialDelaySeconds and at most 2592000';
    const jitter = 'jitter must be between 0 and 1';
    expect(validateRetryPolicy({ initialDelaySeconds: -1 })).toBe(initial);
    expect(validateRetryPolicy({ initialDelaySeconds: 604_801, maxDelaySeconds: 2_592_000 })).toBe(initial);
    expect(validateRetryPolicy({ initialDelaySeconds: Number.NaN })).toBe(initial);
    expect(validateRetryPolicy({ backoffCoefficient: 0.99 })).toBe(coefficient);
    expect(validateRetryPolicy({ backoffCoefficient: 10.01 })).toBe(coefficient);
    expect(validateRetryPolicy({ initialDelaySeconds: 31, maxDelaySeconds: 30 })).toBe(max);
    expect(validateRetryPolicy({ maxDelaySeconds: 2_592_001 })).toBe(max);
    expect(validateRetryPolicy({ jitter: -0.01 })).toBe(jitter);
    expect(validateRetryPolicy({ jitter: 1.01 })).toBe(jitter);
  });

  it('the defaults are 60 s, doubling, at most an hour, no jitter', () => {
    expect(DEFAULT_RETRY_POLICY).toEqual({ initialDelaySeconds: 60, backoffCoefficient: 2, maxDelaySeconds: 3600, jitter: 0 });
    expect(Object.isFrozen(DEFAULT_RETRY_POLICY)).toBe(true);
    expect(backoffSeconds(6)).toBe(3600); // 3840 capped
  });

  it('jitter never makes a delay negative, and full jitter spans 0 to twice the delay', () => {
    const policy = { ...DEFAULT_RETRY_POLICY, jitter: 1 };
    expect(backoffSeconds(0, policy, () => 0)).toBe(0);
    expect(backoffSeconds(0, policy, () => 0.25)).toBe(30);
    expect(backoffSeconds(1, policy, () => 0.75)).toBe(180);
  });

  it("a failure under a per-task policy waits that policy's backoff", () => {
    const policy = { initialDelaySeconds: 10, backoffCoefficient: 3, maxDelaySeconds: 1000, jitter: 0.5 };
    expect(decideFailure({ retryCount: 2, maxRetries: 5, priority: 5, error: 'timeout', policy, now, random: () => 1 }))
      .toEqual({ kind: 'retry', retryCount: 3, retryAt: new Date(now.getTime() + 135_000), priority: 4 });
  });

  it('retries while attempts remain (retryCount below maxRetries); maxRetries 0 never retries', () => {
    expect(decideFailure({ retryCount: 2, maxRetries: 3, priority: 5, error: 'timeout', now }).kind).toBe('retry');
    expect(decideFailure({ retryCount: 0, maxRetries: 0, priority: 5, error: 'timeout', now })).toEqual({ kind: 'fail', reason: 'max_retries_reached' });
    // Explicit retryable: false on a message that would be retried; null falls back to the message.
    expect(decideFailure({ retryCount: 0, maxRetries: 3, priority: 5, error: 'not found', retryable: null, now })).toEqual({ kind: 'fail', reason: 'not_retryable' });
  });
});
