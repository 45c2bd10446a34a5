import { inject } from 'vitest';
import { Client } from 'pg';
import { randomBytes } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import { openOrm } from '../../src/persistence/orm';
import { withDatabase } from '../../src/persistence/database-url';

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A fresh, migrated database of its own (a clone of the template), dropped afterwards. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = inject('adminUrl');
  const template = inject('templateDatabase');
  // The setup's pid is in the template's name; test databases share the prefix so teardown finds leftovers.
  const setupPid = template.split('_')[2];
  const name = `sched_t_${setupPid}_${randomBytes(5).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.query(`create database "${name}" template "${template}"`);
        break;
      } catch (e) {
        // Concurrent clones of one template can collide briefly ("being accessed by other users").
        if (attempt >= 20 || !/being accessed/.test(String(e))) throw e;
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
      }
    }
  } finally {
    await admin.end();
  }
  return {
    name,
    url: withDatabase(adminUrl, name),
    async drop() {
      const c = new Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`drop database if exists "${name}" with (force)`).catch(() => {});
      await c.end();
    },
  };
}

export async function createTestOrm(db: TestDatabase, poolSize = 10): Promise<MikroORM> {
  return openOrm({ clientUrl: db.url, poolSize, migrate: false });
}
