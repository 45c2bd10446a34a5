import { describe, expect, it } from 'vitest';
import { assertTransition, canTransition, isTaskStatus, isTerminal, statusFromDependencies, statusesLeadingTo, TASK_STATUSES } from '../../src/domain/task-status';
import { InvalidTransitionError } from '../../src/domain/errors';

describe('the state machine', () => {
  it('allows exactly the transitions of DESIGN.md', () => {
    const allowed = TASK_STATUSES.flatMap((from) => TASK_STATUSES.filter((to) => canTransition(from, to)).map((to) => `${from}->${to}`));
    expect(allowed.sort()).toEqual(
      [
        'PENDING->READY', 'PENDING->BLOCKED', 'PENDING->CANCELLED',
        'READY->RUNNING', 'READY->CANCELLED',
        // Beyond DESIGN.md: a READY task that gains unfinished dependencies (decomposeTask) waits again.
        'READY->PENDING',
        'RUNNING->COMPLETED', 'RUNNING->FAILED', 'RUNNING->RETRYING', 'RUNNING->BLOCKED', 'RUNNING->CANCELLED',
        'RETRYING->READY', 'RETRYING->RUNNING', 'RETRYING->CANCELLED',
        'FAILED->RETRYING', 'FAILED->CANCELLED',
        'BLOCKED->READY', 'BLOCKED->PENDING', 'BLOCKED->CANCELLED',
        // Part 2: a task whose dependencies are done but whose runAt is ahead waits as SCHEDULED.
        'PENDING->SCHEDULED', 'BLOCKED->SCHEDULED',
        'SCHEDULED->READY', 'SCHEDULED->CANCELLED', 'SCHEDULED->PENDING',
      ].sort(),
    );
  });

  it('lets a READY task wait again when it gains unfinished dependencies (decomposeTask)', () => {
    expect(() => assertTransition('READY', 'PENDING', 't1')).not.toThrow();
    expect(statusesLeadingTo('PENDING').sort()).toEqual(['BLOCKED', 'READY', 'SCHEDULED']);
  });

  it('refuses COMPLETED -> RUNNING with code INVALID_TRANSITION and a readable message', () => {
    expect(() => assertTransition('COMPLETED', 'RUNNING')).toThrow(InvalidTransitionError);
    try {
      assertTransition('COMPLETED', 'RUNNING', 't1');
    } catch (e) {
      expect((e as InvalidTransitionError).code).toBe('INVALID_TRANSITION');
      expect((e as Error).message).toBe('Invalid state transition: COMPLETED -> RUNNING');
      expect((e as InvalidTransitionError).extensions).toMatchObject({ from: 'COMPLETED', to: 'RUNNING', taskId: 't1' });
    }
  });

  it('SCHEDULED becomes READY at its time, can be cancelled, and never runs straight from SCHEDULED', () => {
    expect(statusesLeadingTo('SCHEDULED').sort()).toEqual(['BLOCKED', 'PENDING']);
    expect(canTransition('SCHEDULED', 'READY')).toBe(true);
    expect(canTransition('SCHEDULED', 'RUNNING')).toBe(false);
    expect(() => assertTransition('SCHEDULED', 'COMPLETED')).toThrow(InvalidTransitionError);
  });

  it('COMPLETED and CANCELLED are terminal', () => {
    for (const to of TASK_STATUSES) {
      expect(canTransition('COMPLETED', to)).toBe(false);
      expect(canTransition('CANCELLED', to)).toBe(false);
    }
  });

  it('knows which statuses lead to a target (the guard of an update)', () => {
    expect(statusesLeadingTo('RUNNING').sort()).toEqual(['READY', 'RETRYING']);
    expect(statusesLeadingTo('COMPLETED')).toEqual(['RUNNING']);
  });

  it('derives a waiting task status from its dependencies', () => {
    expect(statusFromDependencies([])).toBe('READY');
    expect(statusFromDependencies(['COMPLETED', 'COMPLETED'])).toBe('READY');
    expect(statusFromDependencies(['COMPLETED', 'RUNNING'])).toBe('PENDING');
    expect(statusFromDependencies(['COMPLETED', 'FAILED'])).toBe('BLOCKED');
    expect(statusFromDependencies(['PENDING', 'CANCELLED'])).toBe('BLOCKED');
    expect(statusFromDependencies(['BLOCKED'])).toBe('BLOCKED');
  });
});

describe('status helpers', () => {
  it('knows the nine statuses and nothing else', () => {
    for (const s of TASK_STATUSES) expect(isTaskStatus(s)).toBe(true);
    for (const s of ['', 'ready', 'DONE', 'RUNNING ']) expect(isTaskStatus(s)).toBe(false);
  });

  it('only COMPLETED and CANCELLED are terminal', () => {
    expect(TASK_STATUSES.filter(isTerminal).sort()).toEqual(['CANCELLED', 'COMPLETED']);
  });

  it('a refused transition without a task id carries only from and to', () => {
    try {
      assertTransition('CANCELLED', 'READY');
      expect.unreachable();
    } catch (e) {
      expect((e as InvalidTransitionError).extensions).toEqual({ from: 'CANCELLED', to: 'READY' });
    }
  });

  it('waits (PENDING) on a dependency that is still running, retrying or scheduled; any blocker wins', () => {
    for (const s of ['PENDING', 'READY', 'RUNNING', 'RETRYING', 'SCHEDULED'] as const) expect(statusFromDependencies(['COMPLETED', s])).toBe('PENDING');
    expect(statusFromDependencies(['RUNNING', 'BLOCKED', 'COMPLETED'])).toBe('BLOCKED');
  });
});
