import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from 'pg';
import { randomUUID } from 'node:crypto';
import { createTestDatabase, TestDatabase } from '../helpers/database';
import { waitUntil } from '../helpers/ws-client';

// task_dependency's rules, kept by statement-level triggers since the foreign keys went
// (Migration20261204100000_edge_checks_per_statement): an edge names existing tasks only, and
// goes when either of its tasks does; concurrent deletes and inserts meet as with foreign keys.
let db: TestDatabase;
let a: Client;
let b: Client;
/** Watches the others' backends (a client busy with a blocked statement cannot ask). */
let watch: Client;
let project: string;
beforeAll(async () => {
  db = await createTestDatabase();
  [a, b, watch] = [new Client({ connectionString: db.url }), new Client({ connectionString: db.url }), new Client({ connectionString: db.url })];
  await Promise.all([a.connect(), b.connect(), watch.connect()]);
  project = randomUUID();
  await a.query(`insert into project (id, name, created_at) values ($1, 'edges', now())`, [project]);
}, 60_000);
afterAll(async () => {
  await Promise.all([a?.end(), b?.end(), watch?.end()]);
  await db?.drop();
});

async function tasks(n: number): Promise<string[]> {
  const ids = Array.from({ length: n }, () => randomUUID());
  await a.query(`insert into task (id, project_id, title) select unnest($1::uuid[]), $2, 't'`, [ids, project]);
  return ids;
}

async function edges(ids: string[]): Promise<[string, string][]> {
  const { rows } = await a.query<{ task_id: string; depends_on_id: string }>(
    'select task_id::text, depends_on_id::text from task_dependency where task_id = any($1::uuid[]) or depends_on_id = any($1::uuid[]) order by 1, 2',
    [ids],
  );
  return rows.map((r) => [r.task_id, r.depends_on_id]);
}

const insertEdges = (c: Client, pairs: [string, string][]) =>
  c.query('insert into task_dependency (task_id, depends_on_id) select * from unnest($1::uuid[], $2::uuid[])', [pairs.map((p) => p[0]), pairs.map((p) => p[1])]);

/** Until `client`'s backend waits for a lock. */
async function blocked(client: Client): Promise<void> {
  const pid = (client as unknown as { processID: number }).processID;
  await waitUntil(async () => (await watch.query(`select wait_event_type from pg_stat_activity where pid = $1`, [pid])).rows[0]?.wait_event_type === 'Lock', 20_000, 'a lock wait');
}

describe('dependency edges', () => {
  it('name existing tasks only: a statement with one edge to a missing task fails whole, with foreign_key_violation', async () => {
    const [x, y] = await tasks(2);
    await expect(insertEdges(a, [[x!, y!], [x!, randomUUID()]])).rejects.toMatchObject({ code: '23503', constraint: 'task_dependency_tasks_exist' });
    await expect(insertEdges(a, [[randomUUID(), y!]])).rejects.toMatchObject({ code: '23503' });
    expect(await edges([x!, y!])).toEqual([]);
    await insertEdges(a, [[x!, y!]]);
    expect(await edges([x!, y!])).toEqual([[x, y]]);
    await expect(a.query('update task_dependency set depends_on_id = $2 where task_id = $1', [x, randomUUID()])).rejects.toMatchObject({ code: '23503' });
  });

  it('go with their tasks: deleting tasks deletes the edges from and to them; TRUNCATE task empties task_dependency', async () => {
    const [x, y, z, w] = await tasks(4);
    await insertEdges(a, [
      [x!, y!],
      [y!, z!],
      [w!, z!],
      [w!, x!],
    ]);
    await a.query('delete from task where id = any($1::uuid[])', [[y, w]]);
    expect(await edges([x!, y!, z!, w!])).toEqual([]);
    const [p, q] = await tasks(2);
    await insertEdges(a, [[p!, q!]]);
    await a.query('delete from task where id = $1', [q]);
    expect(await edges([p!, q!])).toEqual([]);
    const other = await createTestDatabase();
    const c = new Client({ connectionString: other.url });
    await c.connect();
    try {
      const pid = randomUUID();
      const [t1, t2] = [randomUUID(), randomUUID()];
      await c.query(`insert into project (id, name, created_at) values ($1, 'truncate', now())`, [pid]);
      await c.query(`insert into task (id, project_id, title) values ($1, $3, 't'), ($2, $3, 't')`, [t1, t2, pid]);
      await insertEdges(c, [[t1, t2]]);
      await c.query('truncate task');
      expect((await c.query('select count(*)::int as n from task_dependency')).rows[0].n).toBe(0);
      // The bench's reset names both tables in one statement.
      await c.query(`insert into task (id, project_id, title) values ($1, $3, 't'), ($2, $3, 't')`, [t1, t2, pid]);
      await insertEdges(c, [[t1, t2]]);
      await c.query('truncate task_event, task_dependency, task');
      expect((await c.query('select (select count(*) from task_dependency)::int + (select count(*) from task)::int as n')).rows[0].n).toBe(0);
    } finally {
      await c.end();
      await other.drop();
    }
  });

  it('an edge to a task being deleted waits, then fails; a delete of a task an uncommitted edge names waits, then takes the edge with it', async () => {
    const [x, y] = await tasks(2);
    await b.query('begin');
    await b.query('delete from task where id = $1', [y]);
    const insert = insertEdges(a, [[x!, y!]]).then(
      () => 'inserted',
      (e: { code?: string }) => e.code,
    );
    await blocked(a);
    await b.query('commit');
    expect(await insert).toBe('23503');
    expect(await edges([x!, y!])).toEqual([]);

    const [p, q] = await tasks(2);
    await b.query('begin');
    await insertEdges(b, [[p!, q!]]);
    const del = a.query('delete from task where id = $1', [q]);
    await blocked(a);
    await b.query('commit');
    await del;
    expect(await edges([p!, q!])).toEqual([]);
  });
});
