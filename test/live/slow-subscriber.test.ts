import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TestServer } from '../helpers/server';
import { claim, complete, createProject, errorCode } from '../helpers/fixtures';
import { connectClient, waitUntil, watchStatus } from '../helpers/ws-client';
import { SLOW_SUBSCRIBER_CLOSE_CODE } from '../../src/graphql/resolvers/subscription.resolver';

let ts: TestServer;
beforeAll(async () => {
  ts = await startTestServer({ config: { subscriptionBufferLimit: 20 } });
});
afterAll(async () => {
  await ts?.close();
});

// How the queue fills: graphql-ws awaits each send's callback, which `ws` calls once the frame
// is handed to the kernel. A client that stops reading fills the TCP buffers (a few MB on
// loopback), the send stops completing, the subscription stops pulling, and its bounded queue
// grows until it passes the limit. Large events (5 x 90 kB of description each) get there in a
// few dozen events instead of tens of thousands.
const BIG = 'x'.repeat(90_000);
const HEAVY_FIELDS = 'cursor task { d1: description d2: description d3: description d4: description d5: description }';

describe('a subscriber that stops reading', () => {
  it(`is disconnected with ${SLOW_SUBSCRIBER_CLOSE_CODE} while a normal subscriber keeps receiving`, async () => {
    const p = await createProject(ts);
    const created = await ts.ok(`mutation($i: [CreateTaskInput!]!) { createTasks(inputs: $i) { id } }`, {
      i: Array.from({ length: 40 }, (_, k) => ({ projectId: p, title: `big ${k}`, description: BIG })),
    });
    const ids: string[] = created.createTasks.map((t: { id: string }) => t.id);
    const { stream } = ts.server.services;

    const slow = await connectClient(ts.wsUrl);
    const normal = await connectClient(ts.wsUrl);
    const slowSub = await watchStatus(slow, ts.url, { projectId: p }, HEAVY_FIELDS);
    const normalSub = await watchStatus(normal, ts.url, { projectId: p }, 'cursor');
    expect(stream.subscriberCount).toBe(2);
    slow.socket().pause();

    // 80 events, one per transaction: 40 claims, 40 completions. (Not claimTasks(limit: 40): a
    // transaction's 40 events reach every queue at once, more than a limit of 20 allows even a
    // fast reader. The limit must exceed the largest burst a healthy client has to absorb.)
    for (let k = 0; k < 40; k++) await claim(ts, p);
    for (const id of ids) expect(errorCode(await complete(ts, id))).toBeUndefined();

    await normalSub.waitFor(80);
    await waitUntil(() => stream.subscriberCount === 1, 10_000, 'the slow subscriber to be dropped');
    expect(normalSub.events).toHaveLength(80);

    // Reading again, the client drains what was in flight, then meets the close frame.
    slow.socket().resume();
    const closed = await slow.closed;
    expect(closed.code).toBe(SLOW_SUBSCRIBER_CLOSE_CODE);
    expect(closed.reason).toMatch(/too slow/i);
    expect(slowSub.events.length).toBeLessThan(80);
    console.info(`slow subscriber got ${slowSub.events.length} of 80 events before the close`);

    // The normal one is unaffected.
    await ts.ok(`mutation($p: ID!) { createTask(input: { projectId: $p, title: "after" }) { id } }`, { p });
    await normalSub.waitFor(81);
    await normal.dispose();
  });

  it('among 8 fast subscribers sharing its execution, only the slow one is cut off; the others get every event', async () => {
    const p = await createProject(ts);
    const created = await ts.ok(`mutation($i: [CreateTaskInput!]!) { createTasks(inputs: $i) { id } }`, {
      i: Array.from({ length: 40 }, (_, k) => ({ projectId: p, title: `big ${k}`, description: BIG })),
    });
    const ids: string[] = created.createTasks.map((t: { id: string }) => t.id);
    const { stream } = ts.server.services;
    const base = stream.subscriberCount;
    const slow = await connectClient(ts.wsUrl);
    const slowSub = await watchStatus(slow, ts.url, { projectId: p }, HEAVY_FIELDS);
    const fast = await Promise.all(Array.from({ length: 8 }, () => connectClient(ts.wsUrl)));
    const fastSubs = [];
    for (const c of fast) fastSubs.push(await watchStatus(c, ts.url, { projectId: p }, HEAVY_FIELDS));
    expect(stream.subscriberCount).toBe(base + 9);
    slow.socket().pause();

    for (let k = 0; k < 40; k++) await claim(ts, p);
    for (const id of ids) expect(errorCode(await complete(ts, id))).toBeUndefined();
    await Promise.all(fastSubs.map((s) => s.waitFor(80, 20_000)));
    await waitUntil(() => stream.subscriberCount === base + 8, 10_000, 'the slow subscriber to be dropped');
    for (const s of fastSubs) expect(s.events.map((e) => e.cursor)).toEqual(fastSubs[0]!.events.map((e) => e.cursor));
    slow.socket().resume();
    expect((await slow.closed).code).toBe(SLOW_SUBSCRIBER_CLOSE_CODE);
    expect(slowSub.events.length).toBeLessThan(80);
    await Promise.all(fast.map((c) => c.dispose()));
  });
});
