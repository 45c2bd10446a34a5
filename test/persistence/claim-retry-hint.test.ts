import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { createTestDatabase, TestDatabase } from '../helpers/database';
import { openOrm } from '../../src/persistence/orm';
import { preparedSql, sql } from '../../src/persistence/sql/run';
import { claimBindings, claimStatement } from '../../src/persistence/sql/claim.sql';

/**
 * The claim statement says "try again" itself (one row with claim_slot 0 and no task) when it
 * filled fewer slots than it had but claimable rows remain that SKIP LOCKED passed: the server
 * retries shortly instead of answering an empty queue, without a second statement to ask.
 */
let db: TestDatabase;
let orm: MikroORM;
beforeAll(async () => {
  db = await createTestDatabase();
  orm = await openOrm({ clientUrl: db.url, poolSize: 3, migrate: false });
}, 60_000);
afterAll(async () => {
  await orm?.close();
  await db?.drop();
});

const em = () => orm.em.fork() as EntityManager;

async function project(): Promise<string> {
  const id = randomUUID();
  await sql(em(), `insert into project (id, name) values (?, ?)`, [id, `hint-${id}`]);
  return id;
}

async function readyTask(projectId: string): Promise<string> {
  const id = randomUUID();
  await sql(em(), `insert into task (id, project_id, title, status, created_at, updated_at) values (?, ?, 't', 'READY', now(), now())`, [id, projectId]);
  return id;
}

async function claim(projectId: string, slots: number): Promise<{ id: string | null; claim_slot: string }[]> {
  const statement = claimStatement(false, ['id']);
  const workers = Array.from({ length: slots }, (_, i) => `w${i}`);
  const rows = await preparedSql<{ id: string | null; claim_slot: string }>(em(), statement.name, statement.text, claimBindings({ workers, leases: workers.map(() => 30), tokens: workers.map(() => null) }, projectId, null));
  return rows.map((r) => ({ id: r.id, claim_slot: r.claim_slot }));
}

/** Runs `check` while another transaction holds `id` locked (FOR UPDATE), then rolls it back. */
async function whileLocked(id: string, check: () => Promise<void>): Promise<void> {
  const trx = await orm.em.getConnection().getKnex().transaction();
  try {
    await trx.raw('select id from task where id = ? for update', [id]);
    await check();
  } finally {
    await trx.rollback();
  }
}

describe('the claim statement\'s "try again" row', () => {
  it('an empty queue: no rows at all', async () => {
    expect(await claim(await project(), 2)).toEqual([]);
  });

  it('the only READY task locked by another transaction: one row, slot 0, no task; once the lock is gone the task is claimed', async () => {
    const p = await project();
    const id = await readyTask(p);
    await whileLocked(id, async () => {
      expect(await claim(p, 1)).toEqual([{ id: null, claim_slot: '0' }]);
    });
    expect(await claim(p, 1)).toEqual([{ id, claim_slot: '1' }]);
  });

  it('slots left unfilled beside a locked row: the claimed task and the hint; all slots filled: no hint', async () => {
    const p = await project();
    const locked = await readyTask(p);
    const free = await readyTask(p);
    await whileLocked(locked, async () => {
      expect(await claim(p, 2)).toEqual([
        { id: null, claim_slot: '0' },
        { id: free, claim_slot: '1' },
      ]);
    });
    const third = await readyTask(p);
    const rows = await claim(p, 1);
    expect(rows).toHaveLength(1);
    expect([locked, third]).toContain(rows[0]!.id);
  });

  it('only a task whose concurrency key has no free place, locked: no hint (the claimer must not retry in a loop)', async () => {
    const p = await project();
    await sql(em(), `insert into concurrency_limit (project_id, key, "limit") values (?, 'k', 1)`, [p]);
    const running = randomUUID();
    await sql(em(), `insert into task (id, project_id, title, status, concurrency_key, worker_id, lease_expires_at, created_at, updated_at)
       values (?, ?, 'r', 'RUNNING', 'k', 'w', now() + interval '1 minute', now(), now())`, [running, p]);
    const waiting = await readyTask(p);
    await sql(em(), `update task set concurrency_key = 'k' where id = ?`, [waiting]);
    await whileLocked(waiting, async () => {
      expect(await claim(p, 1)).toEqual([]);
    });
  });

  it('a paused project, locked row or not: no hint (nothing there is claimable)', async () => {
    const p = await project();
    const id = await readyTask(p);
    await sql(em(), `update project set paused = true where id = ?`, [p]);
    await whileLocked(id, async () => {
      expect(await claim(p, 1)).toEqual([]);
    });
  });
});
