import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EntityManager } from '@mikro-orm/postgresql';
import { startTestServer, TestServer } from '../helpers/server';
import { claim, createProject, createTask } from '../helpers/fixtures';
import { sql } from '../../src/persistence/sql/run';
import { encodeCursor } from '../../src/events/cursor';
import { collect, connectClient, StatusEvent, step, waitUntil, watchStatus } from '../helpers/ws-client';

let ts: TestServer;
beforeAll(async () => {
  ts = await startTestServer();
});
afterAll(async () => {
  await ts?.close();
});

/** The log itself, after a cursor, as the subscriber should see it. */
async function logAfter(cursor: string, projectId: string): Promise<string[]> {
  const rows = await sql<{ txid: string; id: string; taskId: string; previousStatus: string | null; status: string }>(
    ts.orm.em.fork() as EntityManager,
    `select e.txid::text as txid, e.id::text as id, e.task_id::text as "taskId", e.previous_status as "previousStatus", e.status
       from task_event e where e.project_id = ? order by e.txid, e.id`,
    [projectId],
  );
  return rows.filter((r) => encodeCursor(r) > cursor).map((r) => step(r));
}

function expectNoDuplicates(events: StatusEvent[]) {
  const cursors = events.map((e) => e.cursor);
  expect(new Set(cursors).size).toBe(cursors.length);
  for (let i = 1; i < cursors.length; i++) expect(cursors[i]! > cursors[i - 1]!).toBe(true);
}

async function createMany(projectId: string, n: number): Promise<string[]> {
  const data = await ts.ok(`mutation($i: [CreateTaskInput!]!) { createTasks(inputs: $i) { id } }`, {
    i: Array.from({ length: n }, (_, k) => ({ projectId, title: `t${k}` })),
  });
  return data.createTasks.map((t: { id: string }) => t.id);
}

describe('afterCursor', () => {
  it('replays the 100 transitions missed while disconnected, in order, then live ones', async () => {
    const p = await createProject(ts);
    let live = await connectClient(ts.wsUrl);
    const first = await watchStatus(live, ts.url, { projectId: p });
    await createTask(ts, { projectId: p, title: 'seen live' });
    const [seen] = await first.waitFor(1);
    await live.dispose();

    // 100 transitions in a mix of transactions: one of 50 creations, 25 single claims, one
    // completeTasks of 25.
    const ids = await createMany(p, 50);
    const claimed: string[] = [];
    for (let k = 0; k < 25; k++) claimed.push((await claim(ts, p, 'w')).id);
    await ts.ok(`mutation($i: [CompleteTaskInput!]!) { completeTasks(inputs: $i) { id } }`, { i: claimed.map((id) => ({ id })) });
    expect(ids).toHaveLength(50);

    live = await connectClient(ts.wsUrl);
    const resumed = await watchStatus(live, ts.url, { projectId: p, afterCursor: seen!.cursor });
    const replayed = await resumed.waitFor(100);
    expect(replayed.map(step)).toEqual(await logAfter(seen!.cursor, p));
    expect(replayed.slice(0, 50).every((e) => e.previousStatus === null)).toBe(true);
    expect(replayed.slice(75).every((e) => e.status === 'COMPLETED')).toBe(true);

    const after = await createTask(ts, { projectId: p, title: 'live again' });
    await resumed.waitFor(101);
    expect(step(resumed.events[100]!)).toBe(`${after.id}:null>READY`);
    expectNoDuplicates(resumed.events);
    expect((await resumed.settle(200)).length).toBe(101);
    await live.dispose();
  });

  it('has no gap and no duplicate between replay and live while writes go on (several replay batches)', async () => {
    const p = await createProject(ts);
    await createMany(p, 1);
    const [first] = await sql<{ txid: string; id: string }>(ts.orm.em.fork() as EntityManager, `select txid::text, id::text from task_event where project_id = ? limit 1`, [p]);
    const cursor = encodeCursor(first!);
    await createMany(p, 600);
    await createMany(p, 600);

    const live = await connectClient(ts.wsUrl);
    // Subscribe while 40 more transactions commit concurrently: the ones before the pump's
    // position come by replay, the rest live; the switch must lose or repeat nothing.
    const writes = Promise.all(Array.from({ length: 40 }, (_, k) => createTask(ts, { projectId: p, title: `during ${k}` })));
    const sub = await watchStatus(live, ts.url, { projectId: p, afterCursor: cursor }, 'cursor taskId previousStatus status');
    await writes;
    const events = await sub.waitFor(1240, 20_000);
    expect(events.map(step)).toEqual(await logAfter(cursor, p));
    expectNoDuplicates(events);
    expect((await sub.settle(200)).length).toBe(1240);
    await live.dispose();
  });

  it('refuses a cursor that is not one', async () => {
    const live = await connectClient(ts.wsUrl);
    const sub = await collect(live, `subscription { taskStatusChanged(afterCursor: "yesterday") { cursor } }`);
    await waitUntil(() => sub.errors.length > 0, 5_000, 'the subscription error');
    expect((sub.errors[0] as any).extensions.code).toBe('BAD_USER_INPUT');
    await live.dispose();
  });
});
