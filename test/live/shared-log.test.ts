import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TestServer } from '../helpers/server';
import { createProject } from '../helpers/fixtures';
import { connectClient, LiveClient, StatusEvent, watchStatus, Collector, waitUntil } from '../helpers/ws-client';

// A shared group keeps its serialised results in a log; a member queued on its socket's outbox
// takes every result since its last flush, and only members not queued look at each event
// (src/events/multiplexer.ts). What that must not break: a member that joins while the others
// are queued gets every event from its join on, one that leaves gets a clean prefix, and every
// member sees the same events in the same order, without gaps, while events keep coming.
let ts: TestServer;
const clients: LiveClient[] = [];
beforeAll(async () => {
  ts = await startTestServer();
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await ts?.close();
});

const FIELDS = 'cursor taskId status';

describe('a shared group with members joining and leaving while events flow', () => {
  it('every member gets a gapless run of the events, from its join to its leave', async () => {
    const p = await createProject(ts);
    const watch = async (): Promise<Collector<StatusEvent>> => {
      const c = await connectClient(ts.wsUrl);
      clients.push(c);
      return watchStatus(c, ts.url, { projectId: p }, FIELDS);
    };
    const first = await watch();

    let producing = true;
    let created = 0;
    const producer = (async () => {
      while (producing) {
        await ts.ok(`mutation($p: ID!, $t: String!) { createTask(input: { projectId: $p, title: $t }) { id } }`, { p, t: `t${created}` });
        created++;
      }
    })();

    // Members join one by one while tasks are created (each join waits for the server to register
    // it, so events flow between joins); some of them leave again later.
    const joined: Collector<StatusEvent>[] = [];
    for (let k = 0; k < 12; k++) {
      await waitUntil(() => created >= (k + 1) * 3, 10_000, 'more tasks');
      joined.push(await watch());
    }
    const leaving = joined.filter((_, k) => k % 3 === 0);
    for (const s of leaving) {
      await waitUntil(() => s.events.length >= 2, 10_000, 'events for a member that will leave');
      s.unsubscribe();
    }
    const stayAfter = created;
    await waitUntil(() => created >= stayAfter + 10, 10_000, 'tasks after the leaves');
    producing = false;
    await producer;
    await first.waitFor(created, 10_000);
    expect(first.events.map((e) => e.status)).toEqual(Array(created).fill('READY'));

    const all = first.events.map((e) => e.cursor);
    expect(new Set(all).size).toBe(all.length);
    const stayed = joined.filter((s) => !leaving.includes(s));
    // Each socket is written on its own: the others may be a turn behind the first.
    await waitUntil(() => stayed.every((s) => s.events.at(-1)?.cursor === all.at(-1)), 10_000, 'every member to get the last event');
    for (const s of joined) {
      const got = s.events.map((e) => e.cursor);
      expect(got.length).toBeGreaterThan(0);
      const at = all.indexOf(got[0]!);
      // A contiguous run of the first member's sequence: nothing skipped, repeated or reordered.
      expect(got).toEqual(all.slice(at, at + got.length));
      if (!leaving.includes(s)) expect(at + got.length).toBe(all.length);
    }
    // Those that left stopped before the end.
    for (const s of leaving) expect(s.events.length).toBeLessThan(all.length - all.indexOf(s.events[0]!.cursor));
  });
});
