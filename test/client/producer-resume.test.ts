import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TestServer } from '../helpers/server';
import { createProject, createTask } from '../helpers/fixtures';
import { subscriberCount, waitUntil } from '../helpers/ws-client';
import { TEST_ADMIN_TOKEN } from '../helpers/auth';
import { createClient } from '../../client/src';

let ts: TestServer;
beforeAll(async () => {
  ts = await startTestServer();
});
afterAll(async () => {
  await ts?.close();
});

describe('the producer client', () => {
  it('taskStatusChanged resumes after a lost connection from the last event received: nothing missed, nothing twice', async () => {
    const p = await createProject(ts);
    const client = createClient({ url: ts.url, token: TEST_ADMIN_TOKEN });
    try {
      const stream = client.taskStatusChanged({ projectId: p });
      await waitUntil(async () => (await subscriberCount(ts.url)) === 1, 10_000, 'the subscription to start');
      const a = await createTask(ts, { projectId: p, title: 'before' });
      expect((await stream.next()).value).toMatchObject({ taskId: a.id, status: 'READY' });
      // The socket dies as a network failure would; the client reconnects by itself.
      (client as unknown as { socket: { client: { terminate(): void } } }).socket.client.terminate();
      await waitUntil(async () => (await subscriberCount(ts.url)) === 0, 10_000, 'the server to see the socket gone');
      const b = await createTask(ts, { projectId: p, title: 'while disconnected' });
      await waitUntil(async () => (await subscriberCount(ts.url)) === 1, 10_000, 'the client to subscribe again');
      const c = await createTask(ts, { projectId: p, title: 'after' });
      const next = [(await stream.next()).value, (await stream.next()).value];
      expect(next.map((e) => e?.taskId)).toEqual([b.id, c.id]);
      stream.close();
    } finally {
      await client.close();
    }
  });
});
