import { describe, expect, it } from 'vitest';
import { assertConcurrencyKey, assertConcurrencyLimit, requireFilterProject } from '../../src/domain/flow-control';
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
