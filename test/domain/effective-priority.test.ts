import { describe, expect, it } from 'vitest';
import { deadlineOf, effectivePriority } from '../../src/domain/effective-priority';

const now = new Date('2026-12-03T12:00:00.000Z');
const inMs = (ms: number) => new Date(now.getTime() + ms);
const HOUR = 3_600_000;

describe('effectivePriority', () => {
  it('is the stored priority for a task with no deadline that nothing waits on', () => {
    expect(effectivePriority({ priority: 5, deadline: null, hasDependents: false, now })).toBe(5);
  });

  it('adds 2 when the deadline is at most one hour away (or already passed), not a millisecond more', () => {
    expect(effectivePriority({ priority: 5, deadline: inMs(HOUR), hasDependents: false, now })).toBe(7);
    expect(effectivePriority({ priority: 5, deadline: inMs(HOUR - 1), hasDependents: false, now })).toBe(7);
    expect(effectivePriority({ priority: 5, deadline: inMs(-HOUR), hasDependents: false, now })).toBe(7);
    expect(effectivePriority({ priority: 5, deadline: inMs(HOUR + 1), hasDependents: false, now })).toBe(5);
  });

  it('adds 1 when other tasks wait on it, and both boosts add up', () => {
    expect(effectivePriority({ priority: 5, deadline: null, hasDependents: true, now })).toBe(6);
    expect(effectivePriority({ priority: 10, deadline: inMs(0), hasDependents: true, now })).toBe(13);
    expect(effectivePriority({ priority: 1, deadline: inMs(2 * HOUR), hasDependents: true, now })).toBe(2);
  });
});

describe('deadlineOf (metadata.deadline is free JSON)', () => {
  it('reads an ISO string or epoch milliseconds', () => {
    expect(deadlineOf({ deadline: '2030-01-01T00:00:00Z' })).toEqual(new Date('2030-01-01T00:00:00Z'));
    expect(deadlineOf({ deadline: 1_900_000_000_000 })).toEqual(new Date(1_900_000_000_000));
    expect(deadlineOf({ deadline: 0 })).toEqual(new Date(0));
  });

  it('is null when absent, unparseable or of another type', () => {
    expect(deadlineOf(null)).toBeNull();
    expect(deadlineOf(undefined)).toBeNull();
    expect(deadlineOf({})).toBeNull();
    expect(deadlineOf({ deadline: 'tomorrow-ish' })).toBeNull();
    expect(deadlineOf({ deadline: '' })).toBeNull();
    expect(deadlineOf({ deadline: true })).toBeNull();
    expect(deadlineOf({ deadline: null })).toBeNull();
    expect(deadlineOf({ deadline: { at: '2030-01-01' } })).toBeNull();
    expect(deadlineOf({ deadline: ['2030-01-01T00:00:00Z'] })).toBeNull();
    expect(deadlineOf({ deadline: Number.NaN })).toBeNull();
  });
});
