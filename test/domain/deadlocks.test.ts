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
