import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MikroORM } from '@mikro-orm/postgresql';
import { createTestDatabase, createTestOrm, TestDatabase } from '../helpers/database';

let db: TestDatabase;
let orm: MikroORM;
beforeAll(async () => {
  db = await createTestDatabase();
  orm = await createTestOrm(db, 2);
});
afterAll(async () => {
  await orm?.close();
  await db?.drop();
});

describe('migrations', () => {
  it('are all applied to the test database (tests run the real migrations, never schema sync)', async () => {
    const pending = await orm.getMigrator().getPendingMigrations();
    expect(pending).toEqual([]);
    const executed = await orm.getMigrator().getExecutedMigrations();
    expect(executed.map((m) => m.name)).toContain('Migration20261125000000_initial');
  });

  it('create every column the entities map, with a compatible type', async () => {
    const cols = await orm.em.getConnection().execute(
      `select table_name, column_name, data_type from information_schema.columns where table_schema = 'public'`,
    );
    const have = new Map(cols.map((c: any) => [`${c.table_name}.${c.column_name}`, c.data_type as string]));
    const problems: string[] = [];
    for (const meta of Object.values(orm.getMetadata().getAll())) {
      for (const prop of meta.props) {
        for (const field of prop.fieldNames ?? []) {
          const type = have.get(`${meta.tableName}.${field}`);
          if (!type) problems.push(`${meta.tableName}.${field} (${prop.name}) is missing`);
          else if (prop.type === 'json' && type !== 'jsonb') problems.push(`${meta.tableName}.${field} is ${type}, not jsonb`);
          else if (prop.columnTypes?.[0] === 'timestamptz' && !type.startsWith('timestamp with time zone')) problems.push(`${meta.tableName}.${field} is ${type}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('ship the partial claim index and the priority CHECK', async () => {
    const conn = orm.em.getConnection();
    const [idx] = await conn.execute(`select indexdef from pg_indexes where indexname = 'task_claim_idx'`);
    expect(idx.indexdef).toMatch(/\(project_id, effective_priority DESC, seq\) WHERE \(status = ANY \(ARRAY\['READY'::text, 'RETRYING'::text\]\)\)/);
    const [check] = await conn.execute(`select pg_get_constraintdef(oid) as def from pg_constraint where conname = 'task_priority_range'`);
    expect(check.def).toMatch(/priority >= 1.*priority <= 10/);
  });

  it('the claim uses the partial index', async () => {
    const conn = orm.em.getConnection();
    await conn.execute('set enable_seqscan = off');
    const plan = await conn.execute(
      `explain select id from task where project_id = '00000000-0000-4000-8000-000000000001' and status in ('READY','RETRYING')
         and (status = 'READY' or available_at <= now()) order by effective_priority desc, seq limit 1 for update skip locked`,
    );
    expect(plan.map((r: any) => r['QUERY PLAN']).join('\n')).toMatch(/task_claim_idx/);
  });
});
