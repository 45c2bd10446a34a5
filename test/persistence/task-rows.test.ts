import { describe, expect, it } from 'vitest';
import { ALL_TASK_COLUMNS, columnsForTaskFields, toTasks } from '../../src/persistence/sql/task-rows';

describe('columnsForTaskFields', () => {
  it('maps Task fields to their columns, always with the id, in the canonical order', () => {
    expect(columnsForTaskFields(['status'])).toEqual(['id', 'status']);
    expect(columnsForTaskFields(['completedAt', 'title', 'id'])).toEqual(['id', 'title', 'completed_at']);
  });

  it('needs only the id for relations, the lazily loaded estimate and __typename', () => {
    expect(columnsForTaskFields(['__typename', 'dependencies', 'dependencyTasks', 'dependents', 'complexity'])).toEqual(['id']);
  });

  it('falls back to every column for a field it does not know, and when no selection is given', () => {
    expect(columnsForTaskFields(['status', 'somethingNew'])).toBe(ALL_TASK_COLUMNS);
    expect(columnsForTaskFields(undefined)).toBe(ALL_TASK_COLUMNS);
  });
});

describe('toTasks', () => {
  it('turns PostgreSQL timestamp text into Dates, whole-hour and minute offsets, early years included', () => {
    const [task] = toTasks([
      { id: 'a', created_at: '2026-11-25 20:43:01.298275+00', started_at: '2026-11-25 20:43:01+05:30', completed_at: '0099-01-01 00:00:00-03', lease_expires_at: null },
    ]);
    expect((task as any).createdAt.toISOString()).toBe('2026-11-25T20:43:01.298Z');
    expect((task as any).startedAt.toISOString()).toBe('2026-11-25T15:13:01.000Z');
    expect((task as any).completedAt.toISOString()).toBe('0099-01-01T03:00:00.000Z');
    expect((task as any).leaseExpiresAt).toBeNull();
  });

  it('sets only the columns a statement returned', () => {
    const [task] = toTasks([{ id: 'a', status: 'RUNNING' }]);
    expect(task).toEqual({ id: 'a', status: 'RUNNING', complexity: undefined });
  });
});
