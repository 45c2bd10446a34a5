import { describe, expect, it } from 'vitest';
import { connectedComponents, deletableTasks, FINISHED_STATUSES, isExpired, RetentionDays } from '../../src/domain/retention';

const now = new Date('2026-06-30T00:00:00Z');
const days: RetentionDays = { COMPLETED: 14, FAILED: 30, CANCELLED: 7 };
const old = new Date('2026-06-01T00:00:00Z'); // 29 days ago
const recent = new Date('2026-06-29T00:00:00Z');
const node = (id: string, status: string, updatedAt = old) => ({ id, status, updatedAt });

describe('retention', () => {
  it('expires finished tasks after their status retention only', () => {
    expect(isExpired(node('a', 'COMPLETED'), days, now)).toBe(true);
    expect(isExpired(node('a', 'FAILED'), days, now)).toBe(false); // 30 days for FAILED
    expect(isExpired(node('a', 'CANCELLED', recent), days, now)).toBe(false);
    expect(isExpired(node('a', 'READY'), days, now)).toBe(false);
  });

  it('deletes a component only when every member is finished and past retention', () => {
    const nodes = [node('a', 'COMPLETED'), node('b', 'COMPLETED'), node('c', 'COMPLETED'), node('d', 'PENDING'), node('e', 'COMPLETED'), node('f', 'COMPLETED', recent), node('g', 'CANCELLED')];
    const edges = [
      { taskId: 'b', dependsOnId: 'a' }, // a <- b: both old: deleted
      { taskId: 'd', dependsOnId: 'c' }, // c <- d: d unfinished: kept
      { taskId: 'e', dependsOnId: 'f' }, // e -> f: f too recent: kept
    ];
    expect(deletableTasks(nodes, edges, days, now).sort()).toEqual(['a', 'b', 'g']);
  });

  it('treats a member it was not given as unfinished', () => {
    expect(deletableTasks([node('a', 'COMPLETED')], [{ taskId: 'x', dependsOnId: 'a' }], days, now)).toEqual([]);
  });

  it('finds weakly connected components', () => {
    const groups = connectedComponents(['a', 'b', 'c', 'd'], [['a', 'b'], ['c', 'b']]).map((g) => g.sort());
    expect(groups.sort()).toEqual([['a', 'b', 'c'], ['d']]);
  });
});

describe('retention edges', () => {
  it('a task is expired from the exact instant its retention ends', () => {
    const finished = new Date(now.getTime() - 14 * 86_400_000);
    expect(isExpired(node('a', 'COMPLETED', finished), days, now)).toBe(true);
    expect(isExpired(node('a', 'COMPLETED', new Date(finished.getTime() + 1)), days, now)).toBe(false);
    expect(isExpired(node('a', 'CANCELLED', new Date(now.getTime() - 7 * 86_400_000)), days, now)).toBe(true);
    // Retention 0: finished is enough.
    expect(isExpired(node('a', 'FAILED', now), { ...days, FAILED: 0 }, now)).toBe(true);
  });

  it('only finished statuses expire, however old', () => {
    for (const status of ['PENDING', 'READY', 'RUNNING', 'BLOCKED', 'RETRYING', 'SCHEDULED']) {
      expect(isExpired(node('a', status, new Date(0)), days, now)).toBe(false);
    }
    expect(FINISHED_STATUSES).toEqual(['COMPLETED', 'FAILED', 'CANCELLED']);
  });

  it('keeps a whole chain while one link is unfinished, and deletes every link of an expired one', () => {
    const chain = [node('a', 'COMPLETED'), node('b', 'COMPLETED'), node('c', 'COMPLETED'), node('d', 'COMPLETED')];
    const edges = [
      { taskId: 'b', dependsOnId: 'a' },
      { taskId: 'c', dependsOnId: 'b' },
      { taskId: 'd', dependsOnId: 'c' },
    ];
    expect(deletableTasks(chain, edges, days, now).sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(deletableTasks([...chain.slice(0, 3), node('d', 'RUNNING')], edges, days, now)).toEqual([]);
  });

  it('groups ids named only by edges, and long chains given in any order', () => {
    expect(connectedComponents([], [['s', 's']])).toEqual([['s']]);
    expect(connectedComponents(['x', 'y', 'z'], [['x', 'y'], ['x', 'z']]).map((g) => g.sort())).toEqual([['x', 'y', 'z']]);
    const groups = connectedComponents(['a'], [['x', 'y'], ['y', 'z'], ['a', 'a']]).map((g) => g.sort());
    expect(groups.sort()).toEqual([['a'], ['x', 'y', 'z']]);
    const ids = ['n0', 'n1', 'n2', 'n3', 'n4', 'n5', 'm0', 'm1'];
    const edges: [string, string][] = [['n4', 'n5'], ['n0', 'n1'], ['n2', 'n3'], ['n1', 'n2'], ['n3', 'n4'], ['m1', 'm0'], ['n5', 'n0']];
    expect(connectedComponents(ids, edges).map((g) => g.sort()).sort()).toEqual([['m0', 'm1'], ['n0', 'n1', 'n2', 'n3', 'n4', 'n5']]);
  });
});
