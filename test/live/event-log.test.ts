import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from 'pg';
import { inject } from 'vitest';
import { startTestServer, TestServer } from '../helpers/server';
import { createProject, createTask } from '../helpers/fixtures';
import { connectClient, LiveClient, step, watchStatus } from '../helpers/ws-client';

// The assumptions the live design rests on, checked against PostgreSQL itself.

let ts: TestServer;
let live: LiveClient;
let raw: Client;
beforeAll(async () => {
  ts = await startTestServer();
  live = await connectClient(ts.wsUrl);
  raw = new Client({ connectionString: ts.db.url });
  await raw.connect();
});
afterAll(async () => {
  await raw?.end();
  await live?.dispose();
  await ts?.close();
});

/** A slow scheduling transaction, by hand: a real transition and its event row, left open. */
async function openTransition(taskId: string, projectId: string): Promise<void> {
  await raw.query('begin');
  await raw.query(`update task set status = 'CANCELLED' where id = $1`, [taskId]);
  await raw.query(`insert into task_event (task_id, project_id, previous_status, status) values ($1, $2, 'READY', 'CANCELLED')`, [taskId, projectId]);
}

describe('the event log', () => {
  it('delivers nothing of a transaction before it commits, and holds later commits behind it (no gap)', async () => {
    const p = await createProject(ts);
    const slow = await createTask(ts, { projectId: p, title: 'slow' });
    const sub = await watchStatus(live, ts.url, { projectId: p });
    await openTransition(slow.id, p);
    // Committed after the open one began, so later in the log's (txid, id) order than nothing
    // yet, but with a larger txid: delivering it now would leave the open one behind the cursor.
    const quick = await createTask(ts, { projectId: p, title: 'quick' });
    expect((await sub.settle(500)).length).toBe(0);
    await raw.query('commit');
    await sub.waitFor(2, 3_000);
    expect(sub.events.map(step)).toEqual([`${slow.id}:READY>CANCELLED`, `${quick.id}:null>READY`]);
    sub.unsubscribe();
  });

  it('never delivers a rolled-back transaction', async () => {
    const p = await createProject(ts);
    const t = await createTask(ts, { projectId: p, title: 't' });
    const sub = await watchStatus(live, ts.url, { projectId: p });
    await openTransition(t.id, p);
    await raw.query('rollback');
    const fence = await createTask(ts, { projectId: p, title: 'fence' });
    await sub.waitFor(1);
    expect((await sub.settle(300)).map(step)).toEqual([`${fence.id}:null>READY`]);
    sub.unsubscribe();
  });

  it('is not held back by a transaction left open in another database of the cluster', async () => {
    const other = new Client({ connectionString: inject('adminUrl') });
    await other.connect();
    try {
      await other.query('begin');
      await other.query('select pg_current_xact_id()'); // takes an xid, as any writer does
      const p = await createProject(ts);
      const sub = await watchStatus(live, ts.url, { projectId: p });
      await createTask(ts, { projectId: p, title: 't' });
      // Held back, it would arrive only after the rollback below.
      await sub.waitFor(1, 10_000);
      sub.unsubscribe();
    } finally {
      await other.query('rollback').catch(() => {});
      await other.end();
    }
  });

  it('coalesces wake-ups: 100 concurrent commits cost fewer log reads, and NOTIFYs are spaced', async () => {
    const p = await createProject(ts);
    const sub = await watchStatus(live, ts.url, { projectId: p }, 'cursor taskId previousStatus status');
    const { stream } = ts.server.services;
    const reads = stream.reads;
    const sent = ts.server.notifier.sent;
    const started = Date.now();
    await Promise.all(Array.from({ length: 100 }, (_, k) => createTask(ts, { projectId: p, title: `t${k}` })));
    await sub.waitFor(100);
    await sub.settle(50); // the trailing NOTIFY
    const elapsed = Date.now() - started;
    const r = stream.reads - reads;
    const n = ts.server.notifier.sent - sent;
    console.info(`100 commits in ${elapsed} ms: ${r} log reads, ${n} NOTIFYs`);
    expect(r).toBeLessThan(100);
    // One in flight at a time and at most one per 20 ms (the default minIntervalMs).
    expect(n).toBeLessThanOrEqual(Math.ceil(elapsed / 20) + 1);
    expect(new Set(sub.events.map((e) => e.cursor)).size).toBe(100);
    sub.unsubscribe();
  });

  it('reads a busy log at most every 10 ms, also when each read finds the pump idle again', async () => {
    const p = await createProject(ts);
    const sub = await watchStatus(live, ts.url, { projectId: p }, 'cursor taskId status');
    const { stream } = ts.server.services;
    await new Promise((r) => setTimeout(r, 50)); // nothing pending from earlier tests
    const reads = stream.reads;
    const started = Date.now();
    // A steady stream, as a busy scheduler commits: 5 events per commit, a commit every 3 ms,
    // each followed by the wake-up a local commit gives the pump. Each read finds several events
    // and ends before the next commit (the pump goes idle); without the spacing it read again at
    // every commit.
    for (let k = 0; k < 100; k++) {
      await raw.query(
        `insert into task_event (task_id, project_id, previous_status, status) select gen_random_uuid(), $1, null, 'READY' from generate_series(1, 5)`,
        [p],
      );
      stream.wake();
      await new Promise((r) => setTimeout(r, 3));
    }
    await sub.waitFor(500);
    const elapsed = Date.now() - started;
    const r = stream.reads - reads;
    console.info(`100 commits of 5 events over ${elapsed} ms: ${r} log reads`);
    // At most one read per 10 ms, plus a few the safety-net poll or a NOTIFY may add.
    expect(r).toBeLessThanOrEqual(Math.ceil(elapsed / 10) + 5);
    expect(new Set(sub.events.map((e) => e.cursor)).size).toBe(500);
    sub.unsubscribe();
  });

  it('spaces NOTIFYs for a trickle of commits too, each arriving after the previous NOTIFY returned', async () => {
    const notifier = ts.server.notifier;
    await new Promise((r) => setTimeout(r, 50)); // nothing pending from earlier tests
    const sent = notifier.sent;
    const started = Date.now();
    // 3 ms apart: longer than a local pg_notify round trip, far shorter than minIntervalMs (20).
    for (let k = 0; k < 60; k++) {
      notifier.notify();
      await new Promise((r) => setTimeout(r, 3));
    }
    await new Promise((r) => setTimeout(r, 50)); // the trailing follow-up
    const elapsed = Date.now() - started;
    const n = notifier.sent - sent;
    console.info(`60 requests 3 ms apart over ${elapsed} ms: ${n} NOTIFYs`);
    expect(n).toBeGreaterThanOrEqual(2); // the last request is still announced
    expect(n).toBeLessThanOrEqual(Math.ceil(elapsed / 20) + 1);
  });
});
