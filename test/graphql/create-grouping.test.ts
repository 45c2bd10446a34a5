import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TestServer } from '../helpers/server';
import { createProject, errorCode, getTask } from '../helpers/fixtures';
import type { NewTaskInput } from '../../src/domain/task-input';

// Concurrent createTask(s) calls share one write (group commit, src/scheduler/create-tasks.ts).
// Each caller must still get exactly its own tasks, statuses and errors.
let ts: TestServer;
beforeAll(async () => {
  ts = await startTestServer({ config: { dbPoolSize: 20 } });
});
afterAll(async () => {
  await ts?.close();
});

const MISSING = '00000000-0000-4000-8000-000000000999';

/** Calls the use case directly, all in one tick, so they are sure to meet in the queue. */
function createAll(inputs: NewTaskInput[][]) {
  const { scheduler, orm } = ts.server.services;
  return Promise.allSettled(inputs.map((call) => scheduler.createTasks(orm.em.fork() as never, call)));
}

describe('grouped creation', () => {
  it('30 concurrent calls share writes, and each caller gets its own tasks with the right statuses', async () => {
    const p = await createProject(ts);
    const { scheduler } = ts.server.services;
    const before = { statements: scheduler.creations.statements, calls: scheduler.creations.calls };
    const results = await createAll(
      Array.from({ length: 30 }, (_, k) =>
        k % 3 === 0
          ? [
              { projectId: p, title: `a${k}`, key: 'a' },
              { projectId: p, title: `b${k}`, dependencyKeys: ['a'] },
            ]
          : [{ projectId: p, title: `t${k}`, priority: 1 + (k % 10), delaySeconds: k % 3 === 1 ? 3600 : null }],
      ),
    );
    expect(scheduler.creations.calls - before.calls).toBe(30);
    expect(scheduler.creations.statements - before.statements).toBeLessThan(30);
    const tasks = results.map((r) => (r as PromiseFulfilledResult<any[]>).value);
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
    tasks.forEach((call, k) => {
      if (k % 3 === 0) {
        expect(call.map((t) => [t.title, t.status])).toEqual([
          [`a${k}`, 'READY'],
          [`b${k}`, 'PENDING'],
        ]);
        expect(call[0].effectivePriority).toBe(6); // a task another waits on runs as +1
      } else {
        expect(call).toHaveLength(1);
        expect(call[0]).toMatchObject({ title: `t${k}`, priority: 1 + (k % 10), status: k % 3 === 1 ? 'SCHEDULED' : 'READY' });
      }
    });
    // Edges went to the caller's own tasks.
    for (const call of tasks.filter((_, k) => k % 3 === 0)) {
      expect((await getTask(ts, call[1].id)).dependencies).toEqual([call[0].id]);
    }
    const count = await ts.ok(`query($p: ID!) { tasks(filter: { projectId: $p }) { totalCount } }`, { p });
    expect(count.tasks.totalCount).toBe(40);
  });

  it('a call that fails in the database fails alone: the others in its group are created', async () => {
    const p = await createProject(ts);
    const results = await createAll([
      [{ projectId: p, title: 'ok 1' }],
      [{ projectId: p, title: 'bad dependency', dependencies: [MISSING] }],
      [{ projectId: p, title: 'ok 2' }],
      [{ projectId: MISSING, title: 'bad project' }],
      [{ projectId: p, title: 'ok 3', idempotencyKey: 'k' }],
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason.code).toBe('TASK_DEPENDENCY_ERROR');
    expect((results[3] as PromiseRejectedResult).reason.code).toBe('PROJECT_NOT_FOUND');
    const count = await ts.ok(`query($p: ID!) { tasks(filter: { projectId: $p }) { totalCount } }`, { p });
    expect(count.tasks.totalCount).toBe(3);
  });

  it('over HTTP too: a bad input among concurrent createTask calls is refused to its caller only', async () => {
    const p = await createProject(ts);
    const CREATE = `mutation($i: CreateTaskInput!) { createTask(input: $i) { id title } }`;
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, k) => ts.gql(CREATE, { i: { projectId: p, title: `t${k}`, ...(k === 5 ? { dependencies: [MISSING] } : k === 7 ? { timeoutSeconds: 0 } : {}) } })),
    );
    expect(results.map((r) => errorCode(r) ?? 'ok')).toEqual(results.map((_, k) => (k === 5 ? 'TASK_DEPENDENCY_ERROR' : k === 7 ? 'BAD_USER_INPUT' : 'ok')));
    results.forEach((r, k) => {
      if (!r.errors) expect(r.data.createTask.title).toBe(`t${k}`);
    });
  });
});
