import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TestServer } from '../helpers/server';
import { createProject, createTask } from '../helpers/fixtures';
import { mintToken } from '../helpers/tokens';
import { collect, connectClient, LiveClient, subscriberCount, waitUntil } from '../helpers/ws-client';

// Shared subscription executions (src/events/multiplexer.ts) are keyed by the principal's scope
// (src/events/visibility.ts): the same document from tokens of different projects never shares.
let ts: TestServer;
const clients: LiveClient[] = [];
beforeAll(async () => {
  ts = await startTestServer();
}, 60_000);
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await ts?.close();
});

async function groups(): Promise<number> {
  return ((await (await fetch(ts.url.replace(/\/graphql$/, '/healthz'))).json()) as { live: { groups: number } }).live.groups;
}

const DOC = `subscription { taskStatusChanged { taskId projectId } }`;

describe('shared subscriptions and project scope', () => {
  it('two tokens of different projects with the same document do not share; a revoked member leaves its group working', async () => {
    const A = await createProject(ts);
    const B = await createProject(ts);
    const a1 = await mintToken(ts, { role: 'VIEWER', projectId: A });
    const a2 = await mintToken(ts, { role: 'VIEWER', projectId: A });
    const b = await mintToken(ts, { role: 'VIEWER', projectId: B });
    const groupsBefore = await groups();
    const subscribe = async (token: string | null) => {
      const client = await connectClient(ts.wsUrl, ...(token ? [{ authorization: `Bearer ${token}` }] : []));
      clients.push(client);
      const before = await subscriberCount(ts.url);
      return { client, sub: await collect<{ taskId: string; projectId: string }>(client, DOC, {}, async () => (await subscriberCount(ts.url)) > before) };
    };
    const first = await subscribe(a1.token);
    const second = await subscribe(a2.token);
    const other = await subscribe(b.token);
    const admin = await subscribe(null);
    // A's two tokens share one group; B and the global admin have one each.
    expect(await groups()).toBe(groupsBefore + 3);

    const inB = await createTask(ts, { projectId: B, title: 'b' });
    const inA = await createTask(ts, { projectId: A, title: 'a' });
    await admin.sub.waitFor(2);
    await first.sub.waitFor(1);
    await second.sub.waitFor(1);
    await other.sub.waitFor(1);
    await admin.sub.settle(200);
    expect(first.sub.events).toEqual([{ taskId: inA.id, projectId: A }]);
    expect(second.sub.events).toEqual([{ taskId: inA.id, projectId: A }]);
    expect(other.sub.events).toEqual([{ taskId: inB.id, projectId: B }]);
    expect(admin.sub.events).toEqual([
      { taskId: inB.id, projectId: B },
      { taskId: inA.id, projectId: A },
    ]);

    // The group executes with its first member's context: revoking that member's token closes its
    // socket (4403) and the remaining member still receives its project's events.
    await ts.ok(`mutation($id: ID!) { revokeApiToken(id: $id) { id } }`, { id: a1.id });
    expect((await first.client.closed).code).toBe(4403);
    await waitUntil(async () => (await subscriberCount(ts.url)) === 3, 5_000, 'the revoked subscription to end');
    const later = await createTask(ts, { projectId: A, title: 'a-later' });
    await createTask(ts, { projectId: B, title: 'b-later' });
    await second.sub.waitFor(2);
    await other.sub.waitFor(2);
    expect(second.sub.events.map((e) => e.taskId)).toEqual([inA.id, later.id]);
    expect(other.sub.events.every((e) => e.projectId === B)).toBe(true);
  });
});
