import { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TestServer } from '../helpers/server';
import { createProject } from '../helpers/fixtures';
import { collect, connectClient, LiveClient } from '../helpers/ws-client';

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

function run(query: string, variables: Record<string, unknown> = {}): Promise<{ data?: any; errors?: any[] }> {
  return new Promise((resolve, reject) => {
    let result: { data?: any; errors?: any[] } = {};
    live.client.subscribe({ query, variables }, { next: (r) => (result = r as typeof result), error: (e) => (Array.isArray(e) ? resolve({ errors: e }) : reject(e)), complete: () => resolve(result) });
  });
}

describe('queries and mutations over graphql-ws', () => {
  it('run repeatedly from the prepared-document cache with fresh variables each time', async () => {
    const p = await createProject(ts);
    const create = `mutation($i: CreateTaskInput!) { createTask(input: $i) { id title status } }`;
    const first = await run(create, { i: { projectId: p, title: 'one' } });
    const second = await run(create, { i: { projectId: p, title: 'two' } });
    expect(first.data.createTask).toMatchObject({ title: 'one', status: 'READY' });
    expect(second.data.createTask).toMatchObject({ title: 'two', status: 'READY' });
    expect(second.data.createTask.id).not.toBe(first.data.createTask.id);
    const claim = `mutation($p: ID!) { claimNextTask(projectId: $p, workerId: "ws-worker") { id title } }`;
    expect((await run(claim, { p })).data.claimNextTask.title).toBe('one');
    expect((await run(claim, { p })).data.claimNextTask.title).toBe('two');
  });

  it('refuses an invalid document with a stable code, every time', async () => {
    for (let i = 0; i < 2; i++) {
      const r = await run(`{ nope }`);
      expect(r.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(r.errors?.[0]?.message).toMatch(/Cannot query field "nope"/);
    }
    const syntax = await run(`{ projects { id `);
    expect(syntax.errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
  });

  it("sends an operation's result and its completion in one write", async () => {
    // graphql-ws sends `next` then `complete`; uncoalesced they are two socket writes by the
    // server (src/http/ws-write-coalescing.ts). Counted on the server's end of this connection.
    const clientPort = (live.socket() as unknown as { _socket: Socket })._socket.localPort;
    const proto = Socket.prototype as unknown as { _writeGeneric: (...args: unknown[]) => unknown };
    const original = proto._writeGeneric;
    let writes = 0;
    proto._writeGeneric = function (this: Socket, ...args: unknown[]) {
      if (this.remotePort === clientPort) writes++;
      return original.apply(this, args);
    };
    try {
      for (let i = 0; i < 20; i++) expect((await run(`{ __typename }`)).data).toEqual({ __typename: 'Query' });
    } finally {
      proto._writeGeneric = original;
    }
    // 20 operations, one write each (a keep-alive ping could add one); uncoalesced: 40.
    expect(writes).toBeGreaterThanOrEqual(20);
    expect(writes).toBeLessThanOrEqual(22);
  });

  it('domain errors keep their code over the socket', async () => {
    const r = await run(`mutation { completeTask(id: "00000000-0000-4000-8000-000000000001") { id } }`);
    expect(r.errors?.[0]?.extensions?.code).toBe('TASK_NOT_FOUND');
  });
});

describe('event payloads', () => {
  it("carry the task's stored complexity estimate (loaded on demand)", async () => {
    const p = await createProject(ts);
    const sub = await collect(
      live,
      `subscription($p: ID!) { taskStatusChanged(projectId: $p) { status task { id complexity { taskId complexityScore } } } }`,
      { p },
      () => ts.server.services.stream.subscriberCount > 0,
    );
    const created = await ts.ok(`mutation($i: CreateTaskInput!) { createTask(input: $i) { id complexity { complexityScore } } }`, {
      i: { projectId: p, title: 'Implement the export API' },
    });
    const [event] = await sub.waitFor(1);
    expect(event.task.id).toBe(created.createTask.id);
    expect(event.task.complexity).toEqual({ taskId: created.createTask.id, complexityScore: created.createTask.complexity.complexityScore });
    sub.unsubscribe();
  });
});
