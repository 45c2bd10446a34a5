import { describe, expect, it } from 'vitest';
import { detectDeadlocks } from '../../src/domain/deadlocks';
import type { TaskStatus } from '../../src/domain/task-status';

const statuses = (o: Record<string, TaskStatus>) => new Map(Object.entries(o));
const deps = (o: Record<string, string[]>) => new Map(Object.entries(o));

describe('detectDeadlocks (pure)', () => {
  it('finds a two-task cycle and does not also list its members as stalled', () => {
    const r = detectDeadlocks(statuses({ a: 'PENDING', b: 'PENDING' }), deps({ a: ['b'], b: ['a'] }));
    expect(r.cycles).toEqual([['a', 'b']]);
    expect(r.stalled).toEqual([]);
  });

  it('a DAG has no cycle and nothing stalled', () => {
    expect(detectDeadlocks(statuses({ a: 'COMPLETED', b: 'READY', c: 'PENDING' }), deps({ a: [], b: ['a'], c: ['b'] }))).toEqual({ cycles: [], stalled: [] });
  });

  it('reports tasks waiting on FAILED, CANCELLED, missing and cyclic tasks, directly or transitively', () => {
    const r = detectDeadlocks(
      statuses({ f: 'FAILED', x: 'CANCELLED', a: 'BLOCKED', b: 'PENDING', c: 'PENDING', m: 'PENDING', p: 'PENDING', q: 'PENDING', w: 'PENDING' }),
      deps({ f: [], x: [], a: ['f'], b: ['a'], c: ['x'], m: ['ghost'], p: ['q'], q: ['p'], w: ['p'] }),
    );
    const by = Object.fromEntries(r.stalled.map((s) => [s.taskId, s]));
    expect(by.a).toMatchObject({ blockedBy: ['f'], reason: 'waits on FAILED task f; it can never run' });
    expect(by.b!.reason).toBe('transitively waits on FAILED task f; it can never run');
    expect(by.c!.reason).toBe('waits on CANCELLED task x; it can never run');
    expect(by.m!.reason).toBe('dependency ghost not found; it can never run');
    expect(by.w!.reason).toMatch(/waits on a dependency cycle \(p -> q -> p\)/);
    expect(r.cycles).toEqual([['p', 'q']]);
  });

  it('does not report tasks that already finished or run', () => {
    const r = detectDeadlocks(statuses({ f: 'FAILED', done: 'COMPLETED', gone: 'CANCELLED' }), deps({ f: [], done: ['f'], gone: ['f'] }));
    expect(r.stalled).toEqual([]);
  });
});

describe('detectDeadlocks details', () => {
  it('lists at most 20 blockers but counts them all in the reason', () => {
    const failed = Array.from({ length: 25 }, (_, i) => `f${String(i).padStart(2, '0')}`);
    const r = detectDeadlocks(
      statuses({ ...Object.fromEntries(failed.map((f) => [f, 'FAILED' as const])), t: 'PENDING' }),
      deps({ t: failed }),
    );
    expect(r.stalled).toHaveLength(1);
    expect(r.stalled[0]!.blockedBy).toHaveLength(20);
    expect(r.stalled[0]!.reason).toMatch(/^waits on FAILED task f\d\d \(and 24 more\); it can never run$/);
  });

  it('says "and 1 more" for two blockers, and is transitive only when the first blocker is not a direct dependency', () => {
    const r = detectDeadlocks(statuses({ f: 'FAILED', g: 'FAILED', a: 'PENDING', b: 'PENDING' }), deps({ a: ['f'], b: ['a', 'g'] }));
    const b = r.stalled.find((s) => s.taskId === 'b')!;
    expect(b.blockedBy.sort()).toEqual(['f', 'g']);
    expect(b.reason).toMatch(/ \(and 1 more\); it can never run$/);
  });

  it('lists stalled tasks in id order', () => {
    const r = detectDeadlocks(statuses({ x: 'CANCELLED', c: 'PENDING', a: 'PENDING', b: 'BLOCKED' }), deps({ c: ['x'], a: ['x'], b: ['x'] }));
    expect(r.stalled.map((s) => s.taskId)).toEqual(['a', 'b', 'c']);
  });

  it('reports a cycle member that also waits on a failed task outside the cycle', () => {
    const r = detectDeadlocks(statuses({ p: 'PENDING', q: 'PENDING', f: 'FAILED' }), deps({ p: ['q', 'f'], q: ['p'] }));
    expect(r.cycles).toEqual([['p', 'q']]);
    expect(r.stalled.map((s) => s.taskId)).toEqual(['p', 'q']);
    expect(r.stalled.find((s) => s.taskId === 'p')!.blockedBy).toContain('f');
  });

  it('skips READY, RUNNING and RETRYING dependents (they are not waiting) and unknown ones', () => {
    const r = detectDeadlocks(
      statuses({ f: 'FAILED', r: 'READY', u: 'RUNNING', t: 'RETRYING', s: 'SCHEDULED' }),
      deps({ r: ['f'], u: ['f'], t: ['f'], s: ['f'], unknown: ['f'] }),
    );
    expect(r.stalled).toEqual([]);
  });
});

describe('detectDeadlocks walks', () => {
  it('lists every waiting dependent of one failed task', () => {
    const r = detectDeadlocks(statuses({ f: 'FAILED', a: 'PENDING', b: 'PENDING' }), deps({ a: ['f'], b: ['f'] }));
    expect(r.stalled.map((s) => [s.taskId, s.blockedBy])).toEqual([['a', ['f']], ['b', ['f']]]);
  });

  it('counts a blocker once when two routes lead from it to the same task', () => {
    // c waits on f directly and through a.
    const r = detectDeadlocks(statuses({ f: 'FAILED', a: 'PENDING', c: 'PENDING' }), deps({ c: ['f', 'a'], a: ['f'] }));
    expect(r.stalled.find((s) => s.taskId === 'c')).toEqual({ taskId: 'c', reason: 'waits on FAILED task f; it can never run', blockedBy: ['f'] });
  });

  it('a cycle member waiting on a failed task is blocked by it and by the other member, not by itself', () => {
    const r = detectDeadlocks(statuses({ p: 'PENDING', q: 'PENDING', f: 'FAILED' }), deps({ p: ['q', 'f'], q: ['p'] }));
    expect(r.stalled).toEqual([
      { taskId: 'p', reason: 'waits on FAILED task f (and 1 more); it can never run', blockedBy: ['f', 'q'] },
      { taskId: 'q', reason: 'transitively waits on FAILED task f (and 1 more); it can never run', blockedBy: ['f', 'p'] },
    ]);
  });

  it('names the first cycle found for a task on two cycles', () => {
    // a is on a <-> b and on a <-> c; w waits on a.
    const r = detectDeadlocks(statuses({ a: 'PENDING', b: 'PENDING', c: 'PENDING', w: 'PENDING' }), deps({ a: ['b', 'c'], b: ['a'], c: ['a'], w: ['a'] }));
    expect(r.cycles).toEqual([['a', 'b'], ['a', 'c']]);
    expect(r.stalled.find((s) => s.taskId === 'w')!.reason).toBe('waits on a dependency cycle (a -> b -> a) (and 2 more); it can never run');
  });
});
