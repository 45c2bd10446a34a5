import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TestServer } from '../helpers/server';
import { createProject } from '../helpers/fixtures';
import { createTasks } from '../../src/scheduler/create-tasks';
import type { NewTaskInput } from '../../src/domain/task-input';

// Parallel createTasks calls that depend on the same existing tasks (`taskq import --parallel`,
// several producers, several server instances) each give those tasks a dependent, which raises
// their effective priority: every call must succeed, none may deadlock another (#14).
let ts: TestServer;
let second: TestServer;
beforeAll(async () => {
  ts = await startTestServer({ config: { dbPoolSize: 20 } });
  second = await startTestServer({ db: ts.db, config: { dbPoolSize: 20 } });
}, 60_000);
afterAll(async () => {
  await second?.close();
  await ts?.close();
});

const CREATE_TASKS = `mutation($inputs: [CreateTaskInput!]!) { createTasks(inputs: $inputs) { id status effectivePriority } }`;

async function existing(projectId: string, n: number, priority = 5): Promise<string[]> {
  const data = await ts.ok(CREATE_TASKS, { inputs: Array.from({ length: n }, (_, i) => ({ projectId, title: `dep ${i}`, priority })) });
  return data.createTasks.map((t: { id: string }) => t.id);
}

function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = (seed * 7919 + i * 104729) % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Each call: `size` tasks, each depending on all of `deps` (in its own order) and on the call's first task. */
function batch(projectId: string, deps: string[], call: number, size: number): NewTaskInput[] {
  return Array.from({ length: size }, (_, i) => ({
    projectId,
    title: `c${call} t${i}`,
    key: `k${i}`,
    dependencies: shuffled(deps, call + i),
    dependencyKeys: i === 0 ? [] : ['k0'],
  }));
}

async function check(projectId: string, deps: string[], calls: number, size: number): Promise<void> {
  const [counts] = await ts.orm.em.getConnection().execute<{ tasks: string; edges: string; events: string }[]>(
    `select (select count(*) from task where project_id = ?) as tasks,
            (select count(*) from task_dependency d join task t on t.id = d.task_id where t.project_id = ?) as edges,
            (select count(*) from task_event where project_id = ? and previous_status is null) as events`,
    [projectId, projectId, projectId],
  );
  expect(Number(counts!.tasks)).toBe(deps.length + calls * size);
  expect(Number(counts!.edges)).toBe(calls * (size * deps.length + size - 1));
  expect(Number(counts!.events)).toBe(deps.length + calls * size);
  const rows = await ts.orm.em.getConnection().execute<{ effective_priority: number; status: string }[]>(
    `select effective_priority, status from task where id in (${deps.map(() => '?').join(', ')})`,
    deps,
  );
  // Each shared dependency now has dependents: +1 over its priority 5, once.
  expect(rows.map((r) => [r.status, r.effective_priority])).toEqual(deps.map(() => ['READY', 6]));
}

describe('parallel createTasks calls sharing existing dependencies', () => {
  it('calls in separate transactions (no group commit) all succeed, with every edge and priority right', async () => {
    const { deps: schedulerDeps, orm } = { deps: ts.server.services.scheduler.deps, orm: ts.orm };
    for (let round = 0; round < 5; round++) {
      const p = await createProject(ts);
      const deps = await existing(p, 12);
      const CALLS = 8;
      const SIZE = 5;
      // Straight to the use case without the coalescer: each call is its own transaction, all at once.
      const results = await Promise.allSettled(Array.from({ length: CALLS }, (_, c) => createTasks(orm.em.fork() as never, schedulerDeps, batch(p, deps, c, SIZE))));
      const failures = results.flatMap((r) => (r.status === 'rejected' ? [String((r.reason as Error).message)] : []));
      expect(failures).toEqual([]);
      for (const r of results) {
        const tasks = (r as PromiseFulfilledResult<{ status: string }[]>).value;
        expect(tasks.map((t) => t.status)).toEqual(Array.from({ length: SIZE }, () => 'PENDING'));
      }
      await check(p, deps, CALLS, SIZE);
    }
  });

  it('the +1 lands once, on top of a deadline boost, and on an idempotency hit that a new task of the call depends on by key', async () => {
    const p = await createProject(ts);
    const soon = new Date(Date.now() + 10 * 60_000).toISOString();
    const [plain, urgent, alreadyWaitedOn, , hit] = (
      await ts.ok(CREATE_TASKS, {
        inputs: [
          { projectId: p, title: 'plain', priority: 3 },
          { projectId: p, title: 'urgent', priority: 3, metadata: { deadline: soon } },
          { projectId: p, title: 'already waited on', priority: 3, key: 'a' },
          { projectId: p, title: 'waiter', dependencyKeys: ['a'] },
          { projectId: p, title: 'hit', priority: 3, idempotencyKey: 'hit' },
        ],
      })
    ).createTasks.map((t: { id: string; effectivePriority: number }) => t);
    expect([plain.effectivePriority, urgent.effectivePriority, alreadyWaitedOn.effectivePriority, hit.effectivePriority]).toEqual([3, 5, 4, 3]);
    const { deps: schedulerDeps, orm } = { deps: ts.server.services.scheduler.deps, orm: ts.orm };
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, (_, c) =>
        createTasks(orm.em.fork() as never, schedulerDeps, [
          { projectId: p, title: 'hit again', idempotencyKey: 'hit', key: 'h' },
          { projectId: p, title: `c${c}`, dependencies: shuffled([plain.id, urgent.id, alreadyWaitedOn.id], c), dependencyKeys: ['h'] },
        ]),
      ),
    );
    expect(results.flatMap((r) => (r.status === 'rejected' ? [String((r.reason as Error).message)] : []))).toEqual([]);
    for (const r of results) {
      const [again, created] = (r as PromiseFulfilledResult<{ id: string; status: string }[]>).value;
      expect(again!.id).toBe(hit.id);
      expect(created!.status).toBe('PENDING');
    }
    const rows = await ts.orm.em.getConnection().execute<{ id: string; effective_priority: number }[]>(`select id, effective_priority from task where project_id = ?`, [p]);
    const priorityOf = new Map(rows.map((r) => [r.id, r.effective_priority]));
    expect([plain.id, urgent.id, alreadyWaitedOn.id, hit.id].map((id) => priorityOf.get(id))).toEqual([4, 6, 4, 4]);
    expect(rows).toHaveLength(5 + 6);
  });

  it('over HTTP on two server instances at once: no error, every task and edge created', async () => {
    const p = await createProject(ts);
    const deps = await existing(p, 12);
    const CALLS = 12;
    const SIZE = 4;
    const results = await Promise.all(Array.from({ length: CALLS }, (_, c) => (c % 2 ? second : ts).gql(CREATE_TASKS, { inputs: batch(p, deps, c, SIZE) })));
    expect(results.flatMap((r) => r.errors ?? [])).toEqual([]);
    for (const r of results) expect(r.data.createTasks.map((t: { status: string }) => t.status)).toEqual(Array.from({ length: SIZE }, () => 'PENDING'));
    await check(p, deps, CALLS, SIZE);
  });
});
