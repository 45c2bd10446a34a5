import { describe, expect, it } from 'vitest';
import { applyMetadataPatch, validateTaskUpdate } from '../../src/domain/task-update';
import { BadInputError } from '../../src/domain/errors';

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

describe('validateTaskUpdate limits', () => {
  const refusal = (input: Parameters<typeof validateTaskUpdate>[0]): BadInputError => {
    try {
      validateTaskUpdate(input);
    } catch (e) {
      expect(e).toBeInstanceOf(BadInputError);
      return e as BadInputError;
    }
    throw new Error('accepted');
  };

  it('names the field of a null refusal', () => {
    expect(refusal({ context: null }).extensions).toEqual({ field: 'context' });
  });

  it("applies createTask's limits to each field", () => {
    expect(validateTaskUpdate({ title: 't'.repeat(500) }).title).toHaveLength(500);
    expect(refusal({ title: 't'.repeat(501) }).message).toBe('title is 501 characters; the limit is 500');
    expect(refusal({ title: ' ' }).message).toBe('title must not be empty');
    expect(validateTaskUpdate({ description: '' })).toEqual({ description: '' });
    expect(refusal({ description: 'd'.repeat(100_001) }).extensions).toEqual({ field: 'description', limit: 100_000 });
    expect(refusal({ assignedTo: '' }).message).toBe('assignedTo must not be empty');
    expect(validateTaskUpdate({ assignedTo: 'gpu' })).toEqual({ assignedTo: 'gpu' });
    expect(refusal({ context: [] as unknown as Record<string, unknown> }).message).toBe('context must be a JSON object');
    expect(refusal({ metadata: 'x' as unknown as Record<string, unknown> }).message).toBe('metadata must be a JSON object');
  });

  it('passes context whole and metadata as a patch', () => {
    expect(validateTaskUpdate({ context: { a: 1 }, metadata: { owner: null } })).toEqual({ context: { a: 1 }, metadataPatch: { owner: null } });
  });

  it('maxRetries is a whole number from 0 to 100', () => {
    expect(validateTaskUpdate({ maxRetries: 100 })).toEqual({ maxRetries: 100 });
    for (const m of [-1, 101, 0.5]) {
      const e = refusal({ maxRetries: m });
      expect(e.message).toBe(`maxRetries must be a whole number from 0 to 100, got ${m}`);
      expect(e.extensions).toEqual({ field: 'maxRetries' });
    }
  });
});

describe('applyMetadataPatch limits', () => {
  it('refuses a merge that grows past 1,000,000 bytes, though the patch alone is small enough', () => {
    const current = { log: 'x'.repeat(600_000) };
    expect(() => applyMetadataPatch(current, { more: 'y'.repeat(600_000) })).toThrow(/metadata is \d+ bytes; the limit is 1000000 bytes/);
    expect(applyMetadataPatch(current, { log: null, more: 'y' })).toEqual({ more: 'y' });
  });
});
