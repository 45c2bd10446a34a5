import { describe, expect, it } from 'vitest';
import { assertTransition, canTransition, statusesLeadingTo } from '../../src/domain/task-status';

describe('the state machine', () => {
  it('lets a READY task wait again when it gains unfinished dependencies (decomposition)', () => {
    expect(canTransition('READY', 'PENDING')).toBe(true);
    expect(() => assertTransition('READY', 'PENDING', 't1')).not.toThrow();
    expect(statusesLeadingTo('PENDING').sort()).toEqual(['BLOCKED', 'READY']);
  });

  it('still refuses what DESIGN.md refuses, with INVALID_TRANSITION and the transition in the message', () => {
    for (const [from, to] of [
      ['COMPLETED', 'RUNNING'],
      ['CANCELLED', 'PENDING'],
      ['RUNNING', 'PENDING'],
      ['PENDING', 'RUNNING'],
      ['FAILED', 'READY'],
      ['RETRYING', 'PENDING'],
    ] as const) {
      expect(canTransition(from, to)).toBe(false);
      expect(() => assertTransition(from, to, 't1')).toThrow(expect.objectContaining({ code: 'INVALID_TRANSITION', message: `Invalid state transition: ${from} -> ${to}` }));
    }
  });
});
