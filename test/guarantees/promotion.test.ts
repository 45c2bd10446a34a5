import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from 'pg';
import { startTestServer, TestServer } from '../helpers/server';
import { startServerProcess, ServerProcess } from '../helpers/server-process';
import { claim, complete, createProject, createTask, getTask } from '../helpers/fixtures';
import { gqlAt, okAt } from '../helpers/http';

// Promotion rests on the `waiting_on` counter (decremented by each completing dependency in the
// completion statement). These tests drive it where it can drift: completions racing in separate
// transactions on two instances, and completions after the dependency set was edited.

let ts: TestServer;
let b: ServerProcess;
let pg: Client;
beforeAll(async () => {
  ts = await startTestServer();
  b = await startServerProcess({ databaseUrl: ts.db.url });
  pg = new Client({ connectionString: ts.db.url });
  await pg.connect();
});
afterAll(async () => {
  await pg?.end();
  await b?.stop();
  await ts?.close();
});

async function waitingOn(id: string): Promise<number> {
  return (await pg.query(`select waiting_on from task where id = $1`, [id])).rows[0].waiting_on;
}

/** The counter must equal the number of dependencies that are not COMPLETED. */
async function expectCounterTrue(id: string, expected: number) {
  const { rows } = await pg.query(
    `select count(*)::int as n from task_dependency d join task dep on dep.id = d.depends_on_id where d.task_id = $1 and dep.status <> 'COMPLETED'`,
    [id],
  );
  expect(rows[0].n).toBe(expected);
  expect(await waitingOn(id)).toBe(expected);
}

describe('a diamond whose branches complete at once on two instances', () => {
  it('promotes the join every time (20 rounds, completions in separate transactions)', async () => {
    for (let round = 0; round < 20; round++) {
      const p = await createProject(ts);
      const { createTasks: [x, y, join] } = await ts.ok(
        `mutation($i: [CreateTaskInput!]!) { createTasks(inputs: $i) { id } }`,
        { i: [{ projectId: p, title: 'x', key: 'x' }, { projectId: p, title: 'y', key: 'y' }, { projectId: p, title: 'join', dependencyKeys: ['x', 'y'] }] },
      );
      const first = await claim(ts, p, 'wa');
      const second = (await okAt(b.url, `mutation($p: ID!) { claimNextTask(projectId: $p, workerId: "wb") { id } }`, { p })).claimNextTask;
      expect([first.id, second.id].sort()).toEqual([x.id, y.id].sort());
      const [ra, rb] = await Promise.all([
        complete(ts, first.id, 'wa'),
        gqlAt(b.url, `mutation($id: ID!) { completeTask(id: $id, workerId: "wb") { status } }`, { id: second.id }),
      ]);
      expect(ra.errors).toBeUndefined();
      expect(rb.errors).toBeUndefined();
      expect((await getTask(ts, join.id)).status).toBe('READY');
      await expectCounterTrue(join.id, 0);
    }
  }, 120_000);
});

const ADD = `mutation($t: ID!, $d: ID!) { addDependency(taskId: $t, dependsOn: $d) { id status } }`;
const REMOVE = `mutation($t: ID!, $d: ID!) { removeDependency(taskId: $t, dependsOn: $d) { id status } }`;

/** Claims the named task (the only READY one in its project) and completes it. */
async function run(p: string, id: string) {
  const c = await claim(ts, p, 'w');
  expect(c?.id).toBe(id);
  const r = await complete(ts, id, 'w');
  expect(r.errors).toBeUndefined();
}

describe('completions after dependency edits', () => {
  it('addDependency: the task waits for the added dependency too', async () => {
    const p = await createProject(ts);
    const a = await createTask(ts, { projectId: p, title: 'a' });
    const x = await createTask(ts, { projectId: p, title: 'x', dependencies: [a.id] });
    const later = await createTask(ts, { projectId: p, title: 'later', dependencies: [a.id] });
    expect((await ts.ok(ADD, { t: x.id, d: later.id })).addDependency.status).toBe('PENDING');
    await expectCounterTrue(x.id, 2);
    await run(p, a.id);
    expect((await getTask(ts, x.id)).status).toBe('PENDING');
    await expectCounterTrue(x.id, 1);
    await run(p, later.id);
    expect((await getTask(ts, x.id)).status).toBe('READY');
    await expectCounterTrue(x.id, 0);
  });

  it('addDependency on a dependency that is already COMPLETED does not make the task wait', async () => {
    const p = await createProject(ts);
    const a = await createTask(ts, { projectId: p, title: 'a' });
    await run(p, a.id);
    const b = await createTask(ts, { projectId: p, title: 'b' });
    const x = await createTask(ts, { projectId: p, title: 'x', dependencies: [b.id] });
    await ts.ok(ADD, { t: x.id, d: a.id });
    await expectCounterTrue(x.id, 1);
    await run(p, b.id);
    expect((await getTask(ts, x.id)).status).toBe('READY');
  });

  it('removeDependency: the task no longer waits for the removed one', async () => {
    const p = await createProject(ts);
    const a = await createTask(ts, { projectId: p, title: 'a' });
    const slow = await createTask(ts, { projectId: p, title: 'slow', dependencies: [a.id] });
    const x = await createTask(ts, { projectId: p, title: 'x', dependencies: [a.id, slow.id] });
    await ts.ok(REMOVE, { t: x.id, d: slow.id });
    await expectCounterTrue(x.id, 1);
    await run(p, a.id);
    // x and slow are both READY now; x no longer waits on slow.
    expect((await getTask(ts, x.id)).status).toBe('READY');
    await expectCounterTrue(x.id, 0);
  });

  it('decomposeTask: the parent becomes READY when its last child completes', async () => {
    const p = await createProject(ts);
    const parent = await createTask(ts, {
      projectId: p,
      title: 'Implement distributed authentication',
      description: ['1. Design the token format', '2. Build the login endpoint', '3. Store sessions in Redis', '4. Rotate signing keys', '5. Write tests', '6. Document the flow'].join('\n'),
    });
    const children = (await ts.ok(`mutation($id: ID!) { decomposeTask(id: $id) { id } }`, { id: parent.id })).decomposeTask as { id: string }[];
    expect(children).toHaveLength(4);
    await expectCounterTrue(parent.id, 4);
    for (let i = 0; i < children.length; i++) {
      const c = await claim(ts, p, 'w');
      expect(c).toBeTruthy();
      expect((await complete(ts, c.id, 'w')).errors).toBeUndefined();
      await expectCounterTrue(parent.id, children.length - 1 - i);
      expect((await getTask(ts, parent.id)).status).toBe(i === children.length - 1 ? 'READY' : 'PENDING');
    }
  });
});
