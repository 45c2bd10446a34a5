import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import { createTestDatabase, TestDatabase } from '../helpers/database';
import { openOrm } from '../../src/persistence/orm';
import { PUMP_READ_SQL } from '../../src/persistence/sql/events.sql';

/**
 * The event pump reads the log every few milliseconds while anything changes: its statement must
 * cost the same with a long log as with a short one. It once asked "are rows pending behind the
 * safe point?" with an EXISTS that PostgreSQL ran as a sequential scan of the whole log (and with
 * nothing pending it read every row): 1.8 ms per read at 20,000 events, growing with retention.
 */
let db: TestDatabase;
let orm: MikroORM;
beforeAll(async () => {
  db = await createTestDatabase();
  orm = await openOrm({ clientUrl: db.url, poolSize: 1, migrate: false });
}, 60_000);
afterAll(async () => {
  await orm?.close();
  await db?.drop();
});

describe('the event pump\'s read', () => {
  it('walks the log\'s index, never the whole table, however long the log (generic plan, as the pool runs it)', async () => {
    const knex = orm.em.getConnection().getKnex();
    const project = randomUUID();
    await knex.raw(`insert into project (id, name) values (?, ?)`, [project, `log-${project}`]);
    await knex.raw(
      `insert into task_event (task_id, project_id, previous_status, status)
       select gen_random_uuid(), ?, null, 'READY' from generate_series(1, 20000)`,
      [project],
    );
    await knex.raw('analyze task_event');
    let n = 0;
    const positional = PUMP_READ_SQL.replace(/\?/g, () => `$${++n}`);
    const plan = await knex.transaction(async (trx) => {
      await trx.raw('set local plan_cache_mode = force_generic_plan');
      await trx.raw(`prepare pump_plan (text, bigint, int) as ${positional}`);
      try {
        const { rows } = await trx.raw(`explain (analyze, format json) execute pump_plan('0', 0, 500)`);
        return JSON.stringify(rows[0]['QUERY PLAN']);
      } finally {
        await trx.raw('deallocate pump_plan');
      }
    });
    const scans = [...plan.matchAll(/"Node Type":"([^"]+)","[^}]*?"Relation Name":"task_event"/g)].map((m) => m[1]);
    expect(scans.length).toBeGreaterThan(0);
    expect(scans).not.toContain('Seq Scan');
  });
});
