import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Task } from '../persistence/entities/task.entity';
import { sql } from '../persistence/sql/run';

/**
 * Per-request batching: listing N tasks with their relations costs a constant number of SQL
 * statements. Subscriptions create theirs with `cache: false` so a long-lived subscription
 * never serves a stale row from an earlier event.
 */
export function createLoaders(em: EntityManager, options: { cache: boolean; projectId?: string | null } = { cache: true }) {
  // A caller bound to a project never loads a task of another (project scope, src/auth).
  const scope = options.projectId ? { projectId: options.projectId } : {};
  const taskById = new DataLoader<string, Task | null>(
    async (ids) => {
      const tasks = await em.find(Task, { id: { $in: [...ids] }, ...scope });
      const byId = new Map(tasks.map((t) => [t.id, t]));
      return ids.map((id) => byId.get(id) ?? null);
    },
    { cache: options.cache },
  );
  const edges = (column: 'task_id' | 'depends_on_id', other: 'task_id' | 'depends_on_id') =>
    new DataLoader<string, string[]>(
      async (ids) => {
        const rows = await sql<{ key: string; value: string }>(
          em,
          `select ${column}::text as key, ${other}::text as value from task_dependency where ${column} = any(?::uuid[]) order by ${other}`,
          [[...ids]],
        );
        const map = new Map<string, string[]>();
        for (const r of rows) map.set(r.key, [...(map.get(r.key) ?? []), r.value]);
        return ids.map((id) => map.get(id) ?? []);
      },
      { cache: options.cache },
    );
  /** Task.complexity for tasks that came from the hot paths without that column. */
  const complexityById = new DataLoader<string, unknown>(
    async (ids) => {
      const rows = await sql<{ id: string; complexity: unknown }>(em, 'select id::text, complexity from task where id = any(?::uuid[])', [[...ids]]);
      const byId = new Map(rows.map((r) => [r.id, r.complexity]));
      return ids.map((id) => byId.get(id) ?? null);
    },
    { cache: options.cache },
  );
  return {
    taskById,
    complexityById,
    /** task id -> ids it depends on */
    dependencyIds: edges('task_id', 'depends_on_id'),
    /** task id -> ids of tasks waiting on it */
    dependentIds: edges('depends_on_id', 'task_id'),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
