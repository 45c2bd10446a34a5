import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TestServer } from '../helpers/server';
import { createProject } from '../helpers/fixtures';
import { connectClient, LiveClient } from '../helpers/ws-client';

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

  it('domain errors keep their code over the socket', async () => {
    const r = await run(`mutation { completeTask(id: "00000000-0000-4000-8000-000000000001") { id } }`);
    expect(r.errors?.[0]?.extensions?.code).toBe('TASK_NOT_FOUND');
  });
});
