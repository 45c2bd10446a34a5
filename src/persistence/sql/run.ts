import { createHash } from 'node:crypto';
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

interface Prepared {
  /** The caller's name plus a hash of the text (see preparedSql). */
  name: string;
  /** With `$1, $2 …` in place of knex's `?`. */
  text: string;
}

const preparedByText = new Map<string, Prepared>();

/**
 * `?` placeholders (knex style, as all our SQL is written) to PostgreSQL's `$1, $2 …`, and a
 * name that says which text it is: two server versions (a rolling deploy) or two instances with
 * differently numbered statement variants never mean different statements by one name, which
 * matters when a pooler lets their connections meet the same server connection.
 */
function prepared(name: string, text: string): Prepared {
  let found = preparedByText.get(text);
  if (found === undefined) {
    let n = 0;
    const positional = text.replace(/\?/g, () => `$${++n}`);
    found = { name: `${name}_${createHash('sha1').update(positional).digest('hex').slice(0, 12)}`, text: positional };
    preparedByText.set(text, found);
  }
  return found;
}

/**
 * Connection pools (knex clients) behind a transaction-mode pooler (PgBouncer): there each
 * transaction may run on another server connection, so a statement prepared on one is unknown
 * on the next. Marked at start (DATABASE_POOLER=transaction, see markTransactionPooler) or on the
 * first "prepared statement does not exist / already exists" answer (the pooler detected).
 */
const pooled = new WeakSet<object>();
const onPoolerDetected = new WeakMap<object, () => void>();

export function markTransactionPooler(em: EntityManager): void {
  pooled.add(em.getConnection().getKnex().client);
}

export function behindTransactionPooler(em: EntityManager): boolean {
  return pooled.has(em.getConnection().getKnex().client);
}

/** Told once when this pool detects a pooler by its answers (the server logs a warning). */
export function whenPoolerDetected(em: EntityManager, callback: () => void): void {
  onPoolerDetected.set(em.getConnection().getKnex().client, callback);
}

/** PostgreSQL's answers when a named statement met a server connection that did not prepare it. */
const LOST_PREPARED = new Set(['26000', '42P05']);

/**
 * Runs a hot statement as a named prepared statement, planned once per connection. knex sends
 * unnamed statements, so PostgreSQL planned the claim and completion CTEs on every call, and
 * planning cost more than executing (bench: claim 0.16 ms plan / 0.13 ms run; complete 0.29 /
 * 0.19; named statements halved PostgreSQL's CPU per task). Inside a transaction it runs on the
 * transaction's connection like any other statement. Behind a transaction-mode pooler it runs
 * unnamed (a named statement lives on one server connection, the pooler hands out any).
 */
export async function preparedSql<T = Record<string, unknown>>(em: EntityManager, name: string, text: string, bindings: readonly unknown[]): Promise<T[]> {
  if (em.getTransactionContext()) return sql<T>(em, text, bindings);
  const client = em.getConnection().getKnex().client;
  const statement = prepared(name, text);
  // Unnamed behind a pooler, but still straight to the driver (no knex formatting per call).
  const named: { name?: string } = pooled.has(client) ? {} : { name: statement.name };
  const connection = await client.acquireConnection();
  try {
    const result = await connection.query({ ...named, text: statement.text, values: bindings });
    return result.rows as T[];
  } catch (e) {
    // Refused at Parse or Bind, so nothing ran (and outside a transaction nothing is left
    // aborted): run it again unnamed, and from now on every statement of this pool.
    if (!named.name || !LOST_PREPARED.has((e as { code?: string }).code ?? '')) throw e;
    if (!pooled.has(client)) {
      pooled.add(client);
      onPoolerDetected.get(client)?.();
    }
    const result = await connection.query({ text: statement.text, values: bindings });
    return result.rows as T[];
  } finally {
    await client.releaseConnection(connection);
  }
}
