import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { createTestDatabase, TestDatabase } from '../helpers/database';
import { openOrm } from '../../src/persistence/orm';
import { preparedSql, sql } from '../../src/persistence/sql/run';
import { claimBindings, claimStatement } from '../../src/persistence/sql/claim.sql';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
}, 60_000);
afterAll(async () => {
  await db?.drop();
});

/** Runs the claim statement `times` times on a one-connection pool; how PostgreSQL planned it there. */
async function claimPlans(orm: MikroORM, times: number): Promise<{ generic: number; custom: number }> {
  const em = orm.em.fork() as EntityManager;
  const project = randomUUID();
  await sql(em, `insert into project (id, name) values (?, ?)`, [project, `plans-${project}`]);
  const claim = claimStatement(false);
  for (let i = 0; i < times; i++) await preparedSql(em, claim.name, claim.text, claimBindings({ workers: ['w'], leases: [30], tokens: [null] }, project, null));
  const [row] = await sql<{ generic: string; custom: string }>(em, `select generic_plans as generic, custom_plans as custom from pg_prepared_statements where starts_with(name, ?)`, [`${claim.name}_`]);
  return { generic: Number(row!.generic), custom: Number(row!.custom) };
}

describe('hot statements run with generic plans', () => {
  it('a pooled connection plans the claim once, not per call (plan_cache_mode = force_generic_plan)', async () => {
    const orm = await openOrm({ clientUrl: db.url, poolSize: 1, migrate: false });
    try {
      expect(await claimPlans(orm, 8)).toEqual({ generic: 8, custom: 0 });
    } finally {
      await orm.close();
    }
  });

  it('behind a transaction pooler the setting is left alone (PostgreSQL plans each call with its values)', async () => {
    const orm = await openOrm({ clientUrl: db.url, poolSize: 1, migrate: false, genericPlans: false });
    try {
      // PostgreSQL's default: custom plans for the first five executions at least.
      expect((await claimPlans(orm, 5)).custom).toBe(5);
    } finally {
      await orm.close();
    }
  });
});
