import { describe, expect, it } from 'vitest';
import { applyMetadataPatch, validateTaskUpdate } from '../../src/domain/task-update';

describe('validateTaskUpdate', () => {
  it('keeps only the given fields; null clears description and assignedTo', () => {
    expect(validateTaskUpdate({})).toEqual({});
    expect(validateTaskUpdate({ title: ' t ', description: null, assignedTo: null, maxRetries: 0 })).toEqual({
      title: 't',
      description: null,
      assignedTo: null,
      maxRetries: 0,
    });
  });

  it('refuses null for what a task always has, and the limits createTask refuses', () => {
    for (const field of ['title', 'context', 'metadata', 'maxRetries'] as const) {
      expect(() => validateTaskUpdate({ [field]: null })).toThrow(`${field} cannot be null; omit it to keep the current value`);
    }
    expect(() => validateTaskUpdate({ maxRetries: 101 })).toThrow(/maxRetries must be a whole number from 0 to 100/);
    expect(() => validateTaskUpdate({ assignedTo: 'x'.repeat(101) })).toThrow(/assignedTo is 101 characters/);
  });
});

describe('applyMetadataPatch', () => {
  it('replaces given keys, removes null ones, keeps the rest', () => {
    const current = { reason: 'kept', deadline: '2030-01-01T00:00:00Z', owner: 'ann' };
    expect(applyMetadataPatch(current, { owner: 'bob', deadline: null })).toEqual({ reason: 'kept', owner: 'bob' });
    expect(current.owner).toBe('ann');
  });
});
