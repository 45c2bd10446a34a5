import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TestServer } from '../helpers/server';
import { claim, complete, createProject, createTask, errorCode, TASK_FIELDS } from '../helpers/fixtures';

let ts: TestServer;
beforeAll(async () => {
  ts = await startTestServer();
});
afterAll(async () => {
  await ts?.close();
});

const CREATE = `mutation($i: CreateTaskInput!) { createTask(input: $i) { ${TASK_FIELDS} } }`;
const CREATE_MANY = `mutation($i: [CreateTaskInput!]!) { createTasks(inputs: $i) { id title status dependencies } }`;

async function countTasks(projectId: string): Promise<number> {
  return (await ts.ok(`query($p: ID!) { tasks(filter: { projectId: $p }) { totalCount } }`, { p: projectId })).tasks.totalCount;
}

describe('createTask scheduling', () => {
  it('a task with no dependencies is READY at once, with the defaults', async () => {
    const p = await createProject(ts);
    const t = await createTask(ts, { projectId: p, title: 'no deps' });
    expect(t).toMatchObject({ status: 'READY', priority: 5, maxRetries: 3, retryCount: 0, metadata: {}, dependencies: [] });
  });

  it('a task with an unfinished dependency is PENDING', async () => {
    const p = await createProject(ts);
    const a = await createTask(ts, { projectId: p, title: 'a' });
    const b = await createTask(ts, { projectId: p, title: 'b', dependencies: [a.id] });
    expect(b.status).toBe('PENDING');
    expect(b.dependencies).toEqual([a.id]);
  });

  it('a task whose dependencies are all COMPLETED is READY', async () => {
    const p = await createProject(ts);
    await createTask(ts, { projectId: p, title: 'a' });
    const a = await claim(ts, p);
    await complete(ts, a.id, 'w1');
    const b = await createTask(ts, { projectId: p, title: 'b', dependencies: [a.id] });
    expect(b.status).toBe('READY');
  });

  it('a missing dependency is TASK_DEPENDENCY_ERROR with "not found" in the chain, and nothing is written', async () => {
    const p = await createProject(ts);
    const missing = '00000000-0000-4000-8000-000000000999';
    const r = await ts.gql(CREATE, { i: { projectId: p, title: 'x', dependencies: [missing] } });
    expect(errorCode(r)).toBe('TASK_DEPENDENCY_ERROR');
    const ext = r.errors![0].extensions;
    expect(ext.dependencyChain.join(' ')).toContain(`dependency ${missing} not found`);
    expect(ext.taskId).toBeTruthy();
    expect(ext.recovery).toMatch(/circular dependency|referenced tasks exist/);
    expect(await countTasks(p)).toBe(0);
  });
});

describe('createTasks', () => {
  it('creates a DAG referenced by keys in one call', async () => {
    const p = await createProject(ts);
    const data = await ts.ok(CREATE_MANY, {
      i: [
        { projectId: p, title: 'A', key: 'a' },
        { projectId: p, title: 'B', key: 'b', dependencyKeys: ['a'] },
        { projectId: p, title: 'C', key: 'c', dependencyKeys: ['a'] },
        { projectId: p, title: 'D', key: 'd', dependencyKeys: ['b', 'c'] },
      ],
    });
    const [a, b, c, d] = data.createTasks;
    expect([a.status, b.status, c.status, d.status]).toEqual(['READY', 'PENDING', 'PENDING', 'PENDING']);
    expect(b.dependencies).toEqual([a.id]);
    expect([...d.dependencies].sort()).toEqual([b.id, c.id].sort());
  });

  it('is all or nothing: one bad input writes none of them', async () => {
    const p = await createProject(ts);
    const r = await ts.gql(CREATE_MANY, { i: [{ projectId: p, title: 'fine' }, { projectId: p, title: 'bad', priority: 11 }] });
    expect(errorCode(r)).toBe('BAD_USER_INPUT');
    expect(r.errors![0].message).toMatch(/inputs\[1\].*priority/);
    const r2 = await ts.gql(CREATE_MANY, { i: [{ projectId: p, title: 'fine', key: 'a' }, { projectId: p, title: 'dangling', dependencyKeys: ['nope'] }] });
    expect(errorCode(r2)).toBe('TASK_DEPENDENCY_ERROR');
    expect(await countTasks(p)).toBe(0);
  });

  it('refuses a cycle among keys, naming it', async () => {
    const p = await createProject(ts);
    const r = await ts.gql(CREATE_MANY, {
      i: [
        { projectId: p, title: 'A', key: 'a', dependencyKeys: ['b'] },
        { projectId: p, title: 'B', key: 'b', dependencyKeys: ['a'] },
      ],
    });
    expect(errorCode(r)).toBe('TASK_DEPENDENCY_ERROR');
    expect(r.errors![0].extensions.dependencyChain).toEqual(expect.arrayContaining(['a', 'b']));
    expect(await countTasks(p)).toBe(0);
  });
});

describe('bad input gets a clear error and loses nothing', () => {
  it.each([
    ['priority 0', { priority: 0 }, 'BAD_USER_INPUT', /priority must be a whole number from 1 to 10/],
    ['priority 11', { priority: 11 }, 'BAD_USER_INPUT', /priority must be a whole number from 1 to 10/],
    ['empty title', { title: '   ' }, 'BAD_USER_INPUT', /title must not be empty/],
    ['non-UUID dependency', { dependencies: ['7'] }, 'BAD_USER_INPUT', /dependencies must be a UUID/],
    ['negative maxRetries', { maxRetries: -1 }, 'BAD_USER_INPUT', /maxRetries/],
    ['metadata that is not an object', { metadata: [1, 2] }, 'BAD_USER_INPUT', /metadata must be a JSON object/],
  ])('%s', async (_name, patch, code, message) => {
    const p = await createProject(ts);
    const r = await ts.gql(CREATE, { i: { projectId: p, title: 't', ...patch } });
    expect(errorCode(r)).toBe(code);
    expect(r.errors![0].message).toMatch(message);
    expect(r.data).toBeNull();
    expect(await countTasks(p)).toBe(0);
  });

  it('a 10 MB metadata blob is refused with its size and the limit', async () => {
    const p = await createProject(ts);
    const r = await ts.gql(CREATE, { i: { projectId: p, title: 't', metadata: { blob: 'x'.repeat(10 * 1024 * 1024) } } });
    expect(errorCode(r)).toBe('BAD_USER_INPUT');
    expect(r.errors![0].message).toMatch(/metadata is \d+ bytes; the limit is 1000000 bytes/);
    expect(await countTasks(p)).toBe(0);
  });

  it('an unknown project is PROJECT_NOT_FOUND, a non-UUID project BAD_USER_INPUT', async () => {
    const unknown = await ts.gql(CREATE, { i: { projectId: '00000000-0000-4000-8000-000000000001', title: 't' } });
    expect(errorCode(unknown)).toBe('PROJECT_NOT_FOUND');
    expect(unknown.errors![0].extensions.recovery).toMatch(/createProject/);
    const malformed = await ts.gql(CREATE, { i: { projectId: 'project-1', title: 't' } });
    expect(errorCode(malformed)).toBe('BAD_USER_INPUT');
  });

  it('a wrongly typed variable is refused by GraphQL with BAD_USER_INPUT', async () => {
    const p = await createProject(ts);
    const r = await ts.gql(CREATE, { i: { projectId: p, title: 't', priority: 'high' } });
    expect(errorCode(r)).toBe('BAD_USER_INPUT');
    expect(await countTasks(p)).toBe(0);
  });

  it('an unknown task id is TASK_NOT_FOUND on every mutation that names one', async () => {
    const id = '00000000-0000-4000-8000-00000000abcd';
    for (const q of [
      `mutation { retryTask(id: "${id}") { id } }`,
      `mutation { cancelTask(id: "${id}", reason: "x") { id } }`,
      `mutation { updateTaskPriority(id: "${id}", priority: 3) { id } }`,
      `mutation { failTask(id: "${id}", error: "x") { id } }`,
      `mutation { completeTask(id: "${id}") { id } }`,
      `mutation { heartbeatTask(id: "${id}", workerId: "w") { id } }`,
    ]) {
      const r = await ts.gql(q);
      expect(errorCode(r), q).toBe('TASK_NOT_FOUND');
      expect(r.errors![0].message).toContain(id);
    }
    expect((await ts.ok(`query { task(id: "${id}") { id } }`)).task).toBeNull();
  });
});

describe('createProject and projects', () => {
  it('lists projects and refuses a duplicate name', async () => {
    const name = `unique-${Date.now()}`;
    const id = await createProject(ts, name);
    const list = await ts.ok(`{ projects { id name createdAt } }`);
    expect(list.projects.some((p: any) => p.id === id && p.name === name)).toBe(true);
    const dup = await ts.gql(`mutation { createProject(input: { name: "${name}" }) { id } }`);
    expect(errorCode(dup)).toBe('BAD_USER_INPUT');
    expect(dup.errors![0].message).toMatch(/already exists/);
    expect((await ts.ok(`query($id: ID!) { project(id: $id) { name } }`, { id })).project.name).toBe(name);
  });
});
