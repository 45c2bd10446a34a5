import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Runs explained SQL on the EntityManager's current transaction (or the pool outside one).
 * Goes through knex rather than `Connection.execute` because knex sends real bind parameters
 * ($1, $2 …) and passes a JS array as one PostgreSQL array, where MikroORM's `execute` inlines
 * values and expands arrays into lists.
 */
export async function sql<T = Record<string, unknown>>(em: EntityManager, text: string, bindings: readonly unknown[] = []): Promise<T[]> {
  const knex = em.getTransactionContext() ?? em.getConnection().getKnex();
  const result = await knex.raw(text, bindings as unknown[]);
  return result.rows as T[];
}

export interface Transition {
  taskId: string;
  projectId: string;
  previousStatus: string | null;
  status: string;
}

/** Appends rows to the event log inside the caller's transaction (one statement for any number). */
export async function recordTransitions(em: EntityManager, transitions: readonly Transition[]): Promise<void> {
  if (transitions.length === 0) return;
  await sql(
    em,
    `insert into task_event (task_id, project_id, previous_status, status)
     select * from unnest(?::uuid[], ?::uuid[], ?::text[], ?::text[])`,
    [
      transitions.map((t) => t.taskId),
      transitions.map((t) => t.projectId),
      transitions.map((t) => t.previousStatus),
      transitions.map((t) => t.status),
    ],
  );
}
