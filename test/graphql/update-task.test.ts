import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TestServer } from '../helpers/server';
import { claim, complete, createProject, createTask, errorCode, getTask } from '../helpers/fixtures';

let ts: TestServer;
beforeAll(async () => {
  ts = await startTestServer();
});
afterAll(async () => {
  await ts?.close();
});

const FIELDS = 'id title description context metadata assignedTo maxRetries priority effectivePriority status updatedAt';
const update = (id: string, input: Record<string, unknown>) =>
  ts.gql(`mutation($id: ID!, $i: UpdateTaskInput!) { updateTask(id: $id, input: $i) { ${FIELDS} } }`, { id, i: input });

describe('updateTask', () => {
  it('changes only the given fields and persists them', async () => {
    const p = await createProject(ts);
    const task = await createTask(ts, { projectId: p, title: 'Old', description: 'keep me', assignedTo: 'human', context: { a: 1 } });
    const r = await update(task.id, { title: '  New title ', context: { b: 2 }, maxRetries: 7 });
    expect(r.errors).toBeUndefined();
    expect(r.data!.updateTask).toMatchObject({ title: 'New title', description: 'keep me', context: { b: 2 }, assignedTo: 'human', maxRetries: 7, status: 'READY' });

    const cleared = await update(task.id, { description: null, assignedTo: null });
    expect(cleared.data!.updateTask).toMatchObject({ title: 'New title', description: null, assignedTo: null });
    const read = await ts.ok(`query($id: ID!) { task(id: $id) { ${FIELDS} } }`, { id: task.id });
    expect(read.task).toMatchObject({ title: 'New title', description: null, context: { b: 2 }, assignedTo: null, maxRetries: 7 });
  });

  it('merges metadata: given keys replace, null removes, the scheduler\'s own keys stay', async () => {
    const p = await createProject(ts);
    const task = await createTask(ts, { projectId: p, title: 't', metadata: { owner: 'ann', team: 'x' } });
    const r = await update(task.id, { metadata: { owner: 'bob', team: null, tag: 'y' } });
    expect(r.data!.updateTask.metadata).toEqual({ owner: 'bob', tag: 'y' });
  });

  it('keeps deadlineAt and the effective priority in step with metadata.deadline', async () => {
    const p = await createProject(ts);
    const task = await createTask(ts, { projectId: p, title: 't', priority: 5 });
    expect(task.effectivePriority).toBe(5);
    const soon = new Date(Date.now() + 20 * 60_000).toISOString();
    const urgent = await update(task.id, { metadata: { deadline: soon } });
    expect(urgent.data!.updateTask).toMatchObject({ priority: 5, effectivePriority: 7 });
    const row = await ts.orm.em.fork().getConnection().execute(`select deadline_at from task where id = '${task.id}'`);
    expect(new Date(row[0].deadline_at).toISOString()).toBe(soon);

    const relaxed = await update(task.id, { metadata: { deadline: null } });
    expect(relaxed.data!.updateTask).toMatchObject({ priority: 5, effectivePriority: 5 });
    expect(relaxed.data!.updateTask.metadata).toEqual({});
  });

  it('refuses a COMPLETED or CANCELLED task with INVALID_TRANSITION and changes nothing', async () => {
    const p = await createProject(ts);
    const done = await createTask(ts, { projectId: p, title: 'done' });
    await claim(ts, p);
    await complete(ts, done.id);
    const r = await update(done.id, { title: 'changed' });
    expect(errorCode(r)).toBe('INVALID_TRANSITION');
    expect(r.errors![0].extensions.recovery).toMatch(/can no longer be edited/);
    expect((await getTask(ts, done.id)).title).toBe('done');

    const gone = await createTask(ts, { projectId: p, title: 'gone' });
    await ts.ok(`mutation($id: ID!) { cancelTask(id: $id, reason: "no") { id } }`, { id: gone.id });
    expect(errorCode(await update(gone.id, { title: 'changed' }))).toBe('INVALID_TRANSITION');
  });

  it('validates like createTask', async () => {
    const p = await createProject(ts);
    const task = await createTask(ts, { projectId: p, title: 't' });
    for (const [input, message] of [
      [{ title: '  ' }, /title must not be empty/],
      [{ title: null }, /title cannot be null/],
      [{ title: 'x'.repeat(501) }, /title is 501 characters/],
      [{ maxRetries: -1 }, /maxRetries must be a whole number/],
      [{ context: [1, 2] }, /context must be a JSON object/],
    ] as const) {
      const r = await update(task.id, input);
      expect(errorCode(r)).toBe('BAD_USER_INPUT');
      expect(r.errors![0].message).toMatch(message);
    }
    expect(errorCode(await update('00000000-0000-4000-8000-000000000000', { title: 'x' }))).toBe('TASK_NOT_FOUND');
  });
});
