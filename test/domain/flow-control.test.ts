import { describe, expect, it } from 'vitest';
import { assertConcurrencyKey, assertConcurrencyLimit, CANCELLABLE_STATUSES, MAX_CONCURRENCY_LIMIT, requireFilterProject, RETRYABLE_STATUSES } from '../../src/domain/flow-control';
import { isTerminal, TASK_STATUSES } from '../../src/domain/task-status';
import { BadInputError } from '../../src/domain/errors';

describe('flow-control rules', () => {
  it('a limit is a whole number from 0 up, or null to remove it', () => {
    expect(assertConcurrencyLimit(null)).toBeNull();
    expect(assertConcurrencyLimit(undefined)).toBeNull();
    expect(assertConcurrencyLimit(0)).toBe(0);
    expect(assertConcurrencyLimit(3)).toBe(3);
    for (const bad of [-1, 1.5, Number.NaN, 1_000_001]) expect(() => assertConcurrencyLimit(bad)).toThrow(BadInputError);
  });

  it('a key is non-empty text of bounded length', () => {
    expect(assertConcurrencyKey('stripe-api')).toBe('stripe-api');
    expect(() => assertConcurrencyKey('  ')).toThrow(BadInputError);
    expect(() => assertConcurrencyKey('k'.repeat(201))).toThrow(/limit is 200/);
  });

  it('bulk actions need a project in the filter', () => {
    expect(requireFilterProject({ projectId: 'p' })).toBe('p');
    expect(() => requireFilterProject({})).toThrow(/filter.projectId is required/);
    expect(() => requireFilterProject({ projectId: null })).toThrow(BadInputError);
  });
});

describe('flow-control refusals', () => {
  const refusal = (fn: () => unknown): BadInputError => {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(BadInputError);
      return e as BadInputError;
    }
    throw new Error('accepted');
  };

  it('a limit may be up to 1,000,000; the refusal names the field and the range', () => {
    expect(assertConcurrencyLimit(MAX_CONCURRENCY_LIMIT)).toBe(1_000_000);
    const e = refusal(() => assertConcurrencyLimit(-1));
    expect(e.message).toBe('limit must be a whole number from 0 to 1000000 (or null to remove the limit), got -1');
    expect(e.extensions).toEqual({ field: 'limit' });
  });

  it('a key refusal names the field it came in (key by default)', () => {
    expect(refusal(() => assertConcurrencyKey('')).extensions).toEqual({ field: 'key' });
    expect(refusal(() => assertConcurrencyKey('', 'concurrencyKey')).message).toBe('concurrencyKey must not be empty');
    expect(assertConcurrencyKey('k'.repeat(200))).toHaveLength(200);
  });

  it('a missing project in a bulk filter is refused naming filter.projectId', () => {
    const e = refusal(() => requireFilterProject({ projectId: '' }));
    expect(e.message).toBe('filter.projectId is required for bulk actions (they act on one project at a time)');
    expect(e.extensions).toEqual({ field: 'filter.projectId' });
  });

  it('a bulk cancel touches every unfinished status, a bulk retry what retryTask retries', () => {
    expect([...CANCELLABLE_STATUSES].sort()).toEqual(TASK_STATUSES.filter((s) => !isTerminal(s)).sort());
    expect([...RETRYABLE_STATUSES].sort()).toEqual(['BLOCKED', 'FAILED']);
  });
});
