import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../helpers/database';
import { startTestServer, type TestServer } from '../helpers/server';
import { createProject, createTask } from '../helpers/fixtures';
import { connectClient, step, watchStatus, type LiveClient } from '../helpers/ws-client';
import { recordingLogger, throughPooler } from './support/pooled';

/**
 * Live subscriptions on two instances whose DATABASE_URL is PgBouncer in transaction mode.
 * B has DATABASE_DIRECT_URL, so it LISTENs on a session of its own; C has none, so it polls the
 * event log. (Before the fix a subscriber received 299 of 600 events: LISTEN went through the
 * pooler, onto a server connection other clients then used.)
 */
let a: TestServer;
let b: TestServer;
let c: TestServer;
let liveB: LiveClient;
let liveC: LiveClient;
const logs = [recordingLogger(), recordingLogger(), recordingLogger()];
beforeAll(async () => {
  const db = await createTestDatabase();
  const pooled = { databasePooler: 'transaction' as const };
  a = await startTestServer({ db, ownsDb: true, databaseUrl: throughPooler(db), config: pooled, logger: logs[0] });
  b = await startTestServer({ db, databaseUrl: throughPooler(db), directUrl: db.url, config: pooled, logger: logs[1] });
  c = await startTestServer({ db, databaseUrl: throughPooler(db), config: pooled, logger: logs[2] });
  // B's safety poll would hide a LISTEN that hears nothing: with it off, only NOTIFY wakes B.
  clearInterval((b.server.services.stream as unknown as { pollTimer: NodeJS.Timeout }).pollTimer);
  liveB = await connectClient(b.wsUrl);
  liveC = await connectClient(c.wsUrl);
});
afterAll(async () => {
  await liveB?.dispose();
  await liveC?.dispose();
  await c?.close();
  await b?.close();
  await a?.close();
});

describe('live subscriptions behind PgBouncer (transaction mode)', () => {
  it('B listens on its direct URL: a change committed on A wakes it (NOTIFY sent through the pooler)', async () => {
    expect(b.server.notifier.listening).toBe(true);
    expect(c.server.notifier.listening).toBe(false);
    const p = await createProject(a);
    const sub = await watchStatus(liveB, b.url, { projectId: p });
    for (let k = 0; k < 5; k++) {
      const t = await createTask(a, { projectId: p, title: `t${k}` });
      await sub.waitFor(k + 1, 5_000);
      expect(step(sub.events[k]!)).toBe(`${t.id}:null>READY`);
    }
    sub.unsubscribe();
  });

  it('writers on A and B create 300 tasks and claim them all: subscribers on B (LISTEN) and C (polling) get all 600 events once, in one order', async () => {
    const p = await createProject(a);
    const onB = await watchStatus(liveB, b.url, { projectId: p });
    const onC = await watchStatus(liveC, c.url, { projectId: p });
    const writers = [a, b];
    const ids: string[] = [];
    await Promise.all(
      writers.map(async (w, n) => {
        for (let k = 0; k < 3; k++) {
          const inputs = Array.from({ length: 50 }, (_, i) => ({ projectId: p, title: `${n}-${k}-${i}` }));
          const r = await w.ok(`mutation($i: [CreateTaskInput!]!) { createTasks(inputs: $i) { id } }`, { i: inputs });
          ids.push(...r.createTasks.map((t: { id: string }) => t.id));
        }
      }),
    );
    await Promise.all(
      Array.from({ length: 6 }, async (_, w) => {
        const server = writers[w % 2]!;
        for (;;) {
          const r = await server.ok(`mutation($p: ID!, $w: String!) { claimTasks(projectId: $p, workerId: $w, limit: 10) { id } }`, { p, w: `w${w}` });
          if (r.claimTasks.length === 0) return;
        }
      }),
    );
    await onB.waitFor(600, 30_000);
    await onC.waitFor(600, 30_000);
    for (const sub of [onB, onC]) {
      expect(new Set(sub.events.map((e) => e.cursor)).size).toBe(600);
      expect(new Set(sub.events.filter((e) => e.status === 'READY').map((e) => e.taskId))).toEqual(new Set(ids));
      expect(sub.events.filter((e) => e.status === 'RUNNING')).toHaveLength(300);
    }
    expect(onC.events.map((e) => e.cursor)).toEqual(onB.events.map((e) => e.cursor));
    onB.unsubscribe();
    onC.unsubscribe();
    for (const log of logs) expect(log.lines.filter((l) => l.level === 'error')).toEqual([]);
  }, 120_000);
});
