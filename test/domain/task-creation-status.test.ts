import { describe, expect, it } from 'vitest';
import { statusAtCreation } from '../../src/domain/task-status';
import { runAtOf } from '../../src/domain/task-input';
import { BadInputError } from '../../src/domain/errors';

const now = new Date('2026-12-03T12:00:00.000Z');
const later = new Date('2026-12-03T12:00:01.000Z');

describe('statusAtCreation', () => {
  it('READY without runAt, or with runAt now or past', () => {
    expect(statusAtCreation([], null, now)).toBe('READY');
    expect(statusAtCreation(['COMPLETED'], now, now)).toBe('READY');
    expect(statusAtCreation([], new Date('2020-01-01T00:00:00Z'), now)).toBe('READY');
  });
  it('SCHEDULED when it would be READY but runAt is ahead of the clock', () => {
    expect(statusAtCreation([], later, now)).toBe('SCHEDULED');
    expect(statusAtCreation(['COMPLETED', 'COMPLETED'], later, now)).toBe('SCHEDULED');
  });
  it('PENDING or BLOCKED by its dependencies whatever runAt says', () => {
    expect(statusAtCreation(['READY'], later, now)).toBe('PENDING');
    expect(statusAtCreation(['SCHEDULED'], later, now)).toBe('PENDING');
    expect(statusAtCreation(['FAILED'], later, now)).toBe('BLOCKED');
  });
});

describe('runAtOf', () => {
  it('delaySeconds counts from the injected clock', () => {
    expect(runAtOf({ delaySeconds: 90 }, now)).toEqual(new Date('2026-12-03T12:01:30.000Z'));
    expect(runAtOf({ delaySeconds: 0 }, now)).toEqual(now);
    expect(runAtOf({ runAt: later }, now)).toBe(later);
    expect(runAtOf({}, now)).toBeNull();
  });
  it('refuses both at once, and negative or fractional delays, naming the field', () => {
    for (const input of [{ runAt: later, delaySeconds: 1 }, { delaySeconds: -1 }, { delaySeconds: 1.5 }]) {
      expect(() => runAtOf(input, now)).toThrow(BadInputError);
      try {
        runAtOf(input, now);
      } catch (e) {
        expect((e as BadInputError).extensions.field).toBe('delaySeconds');
      }
    }
  });
});
