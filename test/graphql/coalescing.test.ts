import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TestServer } from '../helpers/server';
import { waitUntil } from '../helpers/ws-client';
import { complete, createProject, errorCode, getTask } from '../helpers/fixtures';

// Concurrent claims and completions share statements (src/scheduler/coalescer.ts). These run
// many calls at once through the API and check each caller still gets exactly its own answer.
let ts: TestServer;
beforeAll(async () => {
  ts = await startTestServer({ config: { dbPoolSize: 20 } });
});
afterAll(async () => {
  await ts?.close();
});

async function createMany(p: string, n: number, priority: (i: number) => number = () => 5): Promise<{ id: string; priority: number }[]> {
  const inputs = Array.from({ length: n }, (_, i) => ({ projectId: p, title: `t${i}`, priority: priority(i) }));
  return (await ts.ok(`mutation($i: [CreateTaskInput!]!) { createTasks(inputs: $i) { id priority } }`, { i: inputs })).createTasks;
}

const CLAIM = `mutation($p: ID!, $w: String!, $n: Int!) { claimTasks(projectId: $p, workerId: $w, limit: $n) { id workerId priority status } }`;

describe('coalesced claims', () => {
  it('30 concurrent claimNextTask calls share statements, and each caller holds its own task', async () => {
    const p = await createProject(ts);
    const tasks = await createMany(p, 40, (i) => 1 + (i % 10));
    const { scheduler, orm } = ts.server.services;
    const before = { statements: scheduler.claims.statements, calls: scheduler.claims.calls };
    // Submitted in one tick (HTTP requests would arrive as the network spreads them): the
    // first goes out alone, the other 29 wait for it and share the next statement.
    const got = await Promise.all(
      Array.from({ length: 30 }, (_, w) =>
        scheduler.claimTasks(orm.em.fork() as never, { projectId: p, workerId: `w${w}` }).then((tasks) => ({ w: `w${w}`, t: tasks[0]! as any })),
      ),
    );
    expect(scheduler.claims.calls - before.calls).toBe(30);
    expect(scheduler.claims.statements - before.statements).toBeLessThan(30);
    expect(new Set(got.map((g) => g.t.id)).size).toBe(30);
    for (const { w, t } of got) {
      expect(t).toMatchObject({ workerId: w, status: 'RUNNING' });
      expect(await getTask(ts, t.id)).toMatchObject({ workerId: w, status: 'RUNNING' });
    }
    // Together they took the head of the queue: the 30 highest priorities of the 40.
    const head = tasks.map((t) => t.priority).sort((a, b) => b - a).slice(0, 30);
    expect(got.map((g) => g.t.priority).sort((a, b) => b - a)).toEqual(head);
  });

  it('claimTasks with limits from several workers at once: every task once, each batch in queue order', async () => {
    const p = await createProject(ts);
    await createMany(p, 20, (i) => 1 + (i % 10));
    const results = await Promise.all(Array.from({ length: 8 }, (_, w) => ts.ok(CLAIM, { p, w: `w${w}`, n: 3 }).then((d) => ({ w: `w${w}`, tasks: d.claimTasks }))));
    const all = results.flatMap((r) => r.tasks);
    expect(all).toHaveLength(20);
    expect(new Set(all.map((t: any) => t.id)).size).toBe(20);
    for (const { w, tasks } of results) {
      expect(tasks.length).toBeLessThanOrEqual(3);
      for (const t of tasks) expect(t.workerId).toBe(w);
      const priorities = tasks.map((t: any) => t.priority);
      expect(priorities).toEqual([...priorities].sort((a, b) => b - a));
    }
  });
});

describe('coalesced completions', () => {
  it('concurrent completions over HTTP each store their own result, and a stale one in the crowd is refused alone', async () => {
    const p = await createProject(ts);
    await createMany(p, 20);
    const claimed = (await ts.ok(CLAIM, { p, w: 'w', n: 20 })).claimTasks as { id: string }[];
    const results = await Promise.all([
      ...claimed.map((t, i) => complete(ts, t.id, 'w', { i })),
      complete(ts, claimed[3]!.id, 'someone-else', { i: -1 }),
    ]);
    const refused = results.filter((r) => r.errors);
    expect(refused).toHaveLength(1);
    // The intruder lost whichever way the race went: before the owner it does not hold the
    // lease; after it the task is already completed.
    expect(['LEASE_NOT_HELD', 'INVALID_TRANSITION']).toContain(errorCode(refused[0]!));
    for (const [i, t] of claimed.entries()) expect(await getTask(ts, t.id)).toMatchObject({ status: 'COMPLETED', result: { i } });
  });

  it('the same task twice in one batch: one call succeeds, the other is told it is already completed', async () => {
    const p = await createProject(ts);
    await createMany(p, 5);
    const [f1, f2, twin, f3, f4] = (await ts.ok(CLAIM, { p, w: 'w', n: 5 })).claimTasks as { id: string }[];
    const { scheduler, orm } = ts.server.services;
    const completeOne = (id: string) =>
      scheduler.completeTask(orm.em.fork() as never, { id, workerId: 'w' }).then(() => 'ok', (e: { code?: string }) => e.code);
    const statementsBefore = scheduler.completions.statements;
    // In one tick: the first calls fill the statements allowed in flight, the rest (twins
    // included) wait and go out together as one batch.
    const results = await Promise.all([f1, f2, twin, twin, f3, f4].map((t) => completeOne(t!.id)));
    expect(scheduler.completions.statements - statementsBefore).toBeLessThan(6);
    expect(results.filter((r, i) => i !== 2 && i !== 3)).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect([results[2], results[3]].sort()).toEqual(['INVALID_TRANSITION', 'ok']);
  });

  it('a completion stuck behind a row lock does not hold back the completions after it', async () => {
    const p = await createProject(ts);
    await createMany(p, 2);
    const [stuck, other] = (await ts.ok(CLAIM, { p, w: 'w', n: 2 })).claimTasks as { id: string }[];
    const knex = (ts.orm.em as any).getConnection().getKnex();
    const trx = await knex.transaction();
    try {
      // Someone else's long transaction holds the row: the completion statement waits on it.
      await trx.raw('select id from task where id = ? for update', [stuck!.id]);
      const blocked = complete(ts, stuck!.id, 'w');
      // Go on only once the completion statement is really waiting on the lock.
      await waitUntil(
        async () => Number((await trx.raw(`select count(*) as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`)).rows[0].n) > 0,
        20_000,
        'the completion to wait on the row lock',
      );
      // Held back, it would wait until the lock is released (never, in this test).
      const r = await Promise.race([complete(ts, other!.id, 'w'), new Promise<'held back'>((ok) => setTimeout(() => ok('held back'), 15_000))]);
      expect(r).not.toBe('held back');
      expect((r as { errors?: unknown }).errors).toBeUndefined();
      expect((await getTask(ts, stuck!.id)).status).toBe('RUNNING');
      await trx.rollback();
      expect((await blocked).errors).toBeUndefined();
      expect((await getTask(ts, stuck!.id)).status).toBe('COMPLETED');
    } finally {
      if (!trx.isCompleted()) await trx.rollback();
    }
  });
});
