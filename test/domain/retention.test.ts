import { describe, expect, it } from 'vitest';
import { connectedComponents, deletableTasks, isExpired, RetentionDays } from '../../src/domain/retention';

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
