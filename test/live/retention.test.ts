import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TestServer } from '../helpers/server';
import { createProject, createTask } from '../helpers/fixtures';
import { collect, connectClient, LiveClient } from '../helpers/ws-client';
import { PRUNE_EVENTS_SQL } from '../../src/persistence/sql/events.sql';
import { sql } from '../../src/persistence/sql/run';

let ts: TestServer;
let live: LiveClient;
beforeAll(async () => {
  ts = await startTestServer();
  live = await connectClient(ts.wsUrl);
});
afterAll(async () => {
  await live?.dispose();
  await ts?.close();
});

const SUB = `subscription($c: String) { taskStatusChanged(afterCursor: $c) { cursor taskId status } }`;

describe('event retention', () => {
  it('a resume from a cursor whose events were pruned is refused with CURSOR_EXPIRED; the latest cursor works', async () => {
    const p = await createProject(ts);
    const before = (await ts.ok(`{ latestEventCursor }`)).latestEventCursor as string;
    await createTask(ts, { projectId: p, title: 'a' });
    await createTask(ts, { projectId: p, title: 'b' });
    // Retention of 0 hours: everything already logged is old enough to go.
    await sql(ts.orm.em.fork() as any, PRUNE_EVENTS_SQL, [0]);
    const left = await ts.orm.em.fork().getConnection().execute('select count(*)::int as n from task_event');
    expect(left[0].n).toBe(0);

    const stale = await collect(live, SUB, { c: before });
    await expect(stale.waitFor(1, 5_000)).rejects.toThrow(/CURSOR_EXPIRED/);
    expect((stale.errors[0] as any).message).toMatch(/older than the event log keeps/);
    expect((stale.errors[0] as any).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'afterCursor', reason: 'CURSOR_EXPIRED' });

    const latest = (await ts.ok(`{ latestEventCursor }`)).latestEventCursor as string;
    const fresh = await collect(live, SUB, { c: latest });
    const c = await createTask(ts, { projectId: p, title: 'c' });
    const [event] = await fresh.waitFor(1);
    expect(event).toMatchObject({ taskId: c.id, status: 'READY' });
    expect(event.cursor > latest).toBe(true);
  });
});
