import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TestServer } from '../helpers/server';
import { claim, createProject, createTask, errorCode, fail, getTask } from '../helpers/fixtures';

let ts: TestServer;
beforeAll(async () => {
  ts = await startTestServer();
});
afterAll(async () => {
  await ts?.close();
});

// Title + description score 100 and about 830 LOC: the feature plan of four subtasks,
// 1 design; 2 implement and 3 "Add test coverage" (implement) after 1; 4 document after 2 and 3.
const BIG = {
  title: 'Implement distributed authentication',
  description: ['1. Design the token format', '2. Build the login endpoint', '3. Store sessions in Redis', '4. Rotate signing keys', '5. Write tests', '6. Document the flow'].join('\n'),
};
const PLAN_TITLES = ['Design the data model and API', 'Implement the core functionality', 'Add test coverage', 'Write user documentation'];
const CHILD_FIELDS = 'id title status priority effectivePriority projectId parentTaskId context dependencies assignedTo complexity { taskId complexityScore }';

const decompose = (id: string) => ts.gql(`mutation($id: ID!) { decomposeTask(id: $id) { ${CHILD_FIELDS} } }`, { id });

async function count(text: string, bindings: unknown[]): Promise<number> {
  const knex = (ts.orm.em.fork() as any).getConnection().getKnex();
  const r = await knex.raw(text, bindings);
  return Number(r.rows[0].n);
}

describe('decomposeTask', () => {
  it('creates the suggested subtasks as children with the planned dependencies; the parent waits for them', async () => {
    const p = await createProject(ts);
    const parent = await createTask(ts, { projectId: p, ...BIG, priority: 7, assignedTo: 'llm' });
    expect(parent.status).toBe('READY');

    const r = await decompose(parent.id);
    expect(r.errors).toBeUndefined();
    const children = r.data!.decomposeTask;
    expect(children.map((c: any) => c.title)).toEqual(PLAN_TITLES);
    const [design, core, tests, docs] = children;
    for (const [i, c] of children.entries()) {
      expect(c).toMatchObject({ parentTaskId: parent.id, projectId: p, priority: 7, assignedTo: 'llm' });
      expect(c.context).toEqual({ decomposedFrom: parent.id, subtaskIndex: i + 1 });
      expect(c.complexity.taskId).toBe(c.id);
      // Every child has a dependent now (the parent, at least): +1.
      expect(c.effectivePriority).toBe(8);
    }
    expect(design.dependencies).toEqual([]);
    expect(core.dependencies).toEqual([design.id]);
    expect(tests.dependencies).toEqual([design.id]);
    expect([...docs.dependencies].sort()).toEqual([core.id, tests.id].sort());
    expect(children.map((c: any) => c.status)).toEqual(['READY', 'PENDING', 'PENDING', 'PENDING']);

    const after = await getTask(ts, parent.id);
    expect(after.status).toBe('PENDING');
    expect([...after.dependencies].sort()).toEqual(children.map((c: any) => c.id).sort());

    // The parent's READY -> PENDING and each child's creation are in the event log.
    const events = await count(`select count(*) as n from task_event where task_id = ? and previous_status = 'READY' and status = 'PENDING'`, [parent.id]);
    expect(events).toBe(1);
    const created = await count(`select count(*) as n from task_event e join task t on t.id = e.task_id where t.parent_task_id = ? and e.previous_status is null`, [parent.id]);
    expect(created).toBe(4);

    // Only the design subtask can be claimed; the parent cannot until its children are done.
    const first = await claim(ts, p);
    expect(first.id).toBe(design.id);
    expect(await claim(ts, p)).toBeNull();
  });

  it('children the plan starts with also wait for the parent\'s own dependencies', async () => {
    const p = await createProject(ts);
    const prerequisite = await createTask(ts, { projectId: p, title: 'Prerequisite' });
    const parent = await createTask(ts, { projectId: p, ...BIG, dependencies: [prerequisite.id] });
    expect(parent.status).toBe('PENDING');
    const children = (await decompose(parent.id)).data!.decomposeTask;
    expect(children[0].dependencies).toEqual([prerequisite.id]);
    expect(children[0].status).toBe('PENDING');
    const after = await getTask(ts, parent.id);
    expect(after.status).toBe('PENDING');
    expect(after.dependencies).toHaveLength(5);
  });

  it('decomposes a BLOCKED task: its children are blocked with it and freed with it', async () => {
    const p = await createProject(ts);
    const prerequisite = await createTask(ts, { projectId: p, title: 'Prerequisite' });
    const parent = await createTask(ts, { projectId: p, ...BIG, dependencies: [prerequisite.id] });
    await claim(ts, p);
    await fail(ts, prerequisite.id, 'invalid input', { retryable: false });
    expect((await getTask(ts, parent.id)).status).toBe('BLOCKED');

    const children = (await decompose(parent.id)).data!.decomposeTask;
    expect(children.map((c: any) => c.status)).toEqual(['BLOCKED', 'BLOCKED', 'BLOCKED', 'BLOCKED']);
    expect((await getTask(ts, parent.id)).status).toBe('BLOCKED');

    await ts.ok(`mutation($id: ID!) { retryTask(id: $id) { id } }`, { id: prerequisite.id });
    for (const c of children) expect((await getTask(ts, c.id)).status).toBe('PENDING');
    expect((await getTask(ts, parent.id)).status).toBe('PENDING');
  });

  it('refuses a second decomposition with BAD_USER_INPUT naming the existing children', async () => {
    const p = await createProject(ts);
    const parent = await createTask(ts, { projectId: p, ...BIG });
    const children = (await decompose(parent.id)).data!.decomposeTask;
    const again = await decompose(parent.id);
    expect(errorCode(again)).toBe('BAD_USER_INPUT');
    expect(again.errors![0].message).toMatch(/already has 4 subtask/);
    expect([...again.errors![0].extensions.childTaskIds].sort()).toEqual(children.map((c: any) => c.id).sort());
    expect(await count('select count(*) as n from task where parent_task_id = ?', [parent.id])).toBe(4);
  });

  it('two concurrent decompositions of one task: one wins, the other is refused', async () => {
    const p = await createProject(ts);
    const parent = await createTask(ts, { projectId: p, ...BIG });
    const results = await Promise.all([decompose(parent.id), decompose(parent.id), decompose(parent.id)]);
    expect(results.filter((r) => !r.errors).length).toBe(1);
    expect(results.filter((r) => errorCode(r) === 'BAD_USER_INPUT').length).toBe(2);
    expect(await count('select count(*) as n from task where parent_task_id = ?', [parent.id])).toBe(4);
  });

  it('refuses a task that has started with INVALID_TRANSITION and a recovery hint', async () => {
    const p = await createProject(ts);
    const parent = await createTask(ts, { projectId: p, ...BIG });
    await claim(ts, p);
    const r = await decompose(parent.id);
    expect(errorCode(r)).toBe('INVALID_TRANSITION');
    expect(r.errors![0].message).toBe('Invalid state transition: RUNNING -> PENDING');
    expect(r.errors![0].extensions.recovery).toMatch(/PENDING, READY or BLOCKED/);
  });

  it('refuses a task whose estimate suggests no subtasks', async () => {
    const p = await createProject(ts);
    const small = await createTask(ts, { projectId: p, title: 'Fix typo in documentation' });
    const r = await decompose(small.id);
    expect(errorCode(r)).toBe('BAD_USER_INPUT');
    expect(r.errors![0].message).toMatch(/manageable as one unit/);
    expect((await getTask(ts, small.id)).status).toBe('READY');
  });

  it('is all or nothing: a failure after the children were inserted leaves no trace', async () => {
    const p = await createProject(ts);
    const parent = await createTask(ts, { projectId: p, ...BIG });
    const knex = (ts.orm.em.fork() as any).getConnection().getKnex();
    // Fail the last step (the parent's edges to its children) for this parent only.
    await knex.raw(`
      create function refuse_parent_edge() returns trigger language plpgsql as $$
      begin
        if new.task_id = '${parent.id}' then raise exception 'injected failure'; end if;
        return new;
      end $$;
      create trigger refuse_parent_edge before insert on task_dependency for each row execute function refuse_parent_edge();`);
    try {
      const r = await decompose(parent.id);
      expect(errorCode(r)).toBe('INTERNAL_SERVER_ERROR');
    } finally {
      await knex.raw('drop trigger refuse_parent_edge on task_dependency; drop function refuse_parent_edge();');
    }
    expect(await count('select count(*) as n from task where parent_task_id = ?', [parent.id])).toBe(0);
    expect(await count('select count(*) as n from task where project_id = ?', [p])).toBe(1);
    expect(await count('select count(*) as n from task_event where project_id = ?', [p])).toBe(1); // the parent's creation
    expect((await getTask(ts, parent.id)).status).toBe('READY');

    // And it works once the obstacle is gone.
    expect((await decompose(parent.id)).data!.decomposeTask).toHaveLength(4);
  });

  it('answers TASK_NOT_FOUND for an unknown task and BAD_USER_INPUT for a malformed id', async () => {
    expect(errorCode(await decompose('00000000-0000-4000-8000-000000000000'))).toBe('TASK_NOT_FOUND');
    expect(errorCode(await decompose('42'))).toBe('BAD_USER_INPUT');
  });
});
