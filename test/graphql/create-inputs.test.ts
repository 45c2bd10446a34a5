import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TestServer } from '../helpers/server';
import { claim, createProject, createTask, errorCode } from '../helpers/fixtures';
import { collect, connectClient, LiveClient, subscriberCount } from '../helpers/ws-client';
import { startServerProcess } from '../helpers/server-process';
import { AUTH_HEADERS } from '../helpers/auth';

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

const FIELDS = 'id status runAt timeoutSeconds idempotencyKey concurrencyKey dependencies';
const CREATE = `mutation($i: CreateTaskInput!) { createTask(input: $i) { ${FIELDS} } }`;
const CREATE_MANY = `mutation($i: [CreateTaskInput!]!) { createTasks(inputs: $i) { ${FIELDS} } }`;

async function rows<T = Record<string, unknown>>(text: string, params: unknown[]): Promise<T[]> {
  return (await ts.orm.em.fork().getConnection().execute(text, params)) as T[];
}
const countTasks = async (p: string) => Number((await rows<{ n: string }>('select count(*) as n from task where project_id = ?', [p]))[0]!.n);
const countEvents = async (p: string) => Number((await rows<{ n: string }>('select count(*) as n from task_event where project_id = ?', [p]))[0]!.n);

describe('runAt and delaySeconds', () => {
  it('a task with no dependencies and runAt ahead is SCHEDULED, is not claimed, and taskReady does not fire for it', async () => {
    const p = await createProject(ts);
    const before = await subscriberCount(ts.url);
    const sub = await collect<{ id: string }>(live, `subscription($p: ID!) { taskReady(projectId: $p) { id } }`, { p }, async () => (await subscriberCount(ts.url)) > before);
    const runAt = new Date(Date.now() + 24 * 3600_000).toISOString();
    const later = (await ts.ok(CREATE, { i: { projectId: p, title: 'later', runAt } })).createTask;
    expect(later).toMatchObject({ status: 'SCHEDULED', runAt });
    expect(await claim(ts, p)).toBeNull();
    // A READY task created afterwards is announced; the SCHEDULED one never was.
    const now = await createTask(ts, { projectId: p, title: 'now' });
    await sub.waitFor(1);
    expect((await sub.settle(300)).map((e) => e.id)).toEqual([now.id]);
    sub.unsubscribe();
  });

  it('delaySeconds counts from now; 0 and a runAt in the past are READY at once', async () => {
    const p = await createProject(ts);
    const started = Date.now();
    const delayed = (await ts.ok(CREATE, { i: { projectId: p, title: 'd', delaySeconds: 3600 } })).createTask;
    expect(delayed.status).toBe('SCHEDULED');
    const at = new Date(delayed.runAt).getTime();
    expect(at).toBeGreaterThanOrEqual(started + 3600_000 - 1000);
    expect(at).toBeLessThanOrEqual(Date.now() + 3600_000 + 1000);
    expect((await ts.ok(CREATE, { i: { projectId: p, title: 'z', delaySeconds: 0 } })).createTask.status).toBe('READY');
    const past = (await ts.ok(CREATE, { i: { projectId: p, title: 'past', runAt: '2020-01-01T00:00:00.000Z' } })).createTask;
    expect(past).toMatchObject({ status: 'READY', runAt: '2020-01-01T00:00:00.000Z' });
  });

  it('a task still waiting on dependencies is PENDING whatever its runAt; one behind a SCHEDULED task of its batch too', async () => {
    const p = await createProject(ts);
    const runAt = new Date(Date.now() + 3600_000).toISOString();
    const [a, b] = (
      await ts.ok(CREATE_MANY, {
        i: [
          { projectId: p, title: 'a', key: 'a', runAt },
          { projectId: p, title: 'b', key: 'b', dependencyKeys: ['a'], runAt },
        ],
      })
    ).createTasks;
    expect(a.status).toBe('SCHEDULED');
    expect(b).toMatchObject({ status: 'PENDING', runAt, dependencies: [a.id] });
  });

  it('timeoutSeconds and concurrencyKey are stored and returned', async () => {
    const p = await createProject(ts);
    const t = (await ts.ok(CREATE, { i: { projectId: p, title: 't', timeoutSeconds: 90, concurrencyKey: 'gpu' } })).createTask;
    expect(t).toMatchObject({ status: 'READY', timeoutSeconds: 90, concurrencyKey: 'gpu', runAt: null, idempotencyKey: null });
    expect(await rows('select timeout_seconds, concurrency_key from task where id = ?', [t.id])).toEqual([{ timeout_seconds: 90, concurrency_key: 'gpu' }]);
  });
});

describe('validation', () => {
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['runAt and delaySeconds together', { runAt: '2030-01-01T00:00:00Z', delaySeconds: 5 }, 'delaySeconds'],
    ['a negative delay', { delaySeconds: -1 }, 'delaySeconds'],
    ['a timeout of 0', { timeoutSeconds: 0 }, 'timeoutSeconds'],
    ['a negative timeout', { timeoutSeconds: -5 }, 'timeoutSeconds'],
    ['an idempotency key of 201 characters', { idempotencyKey: 'k'.repeat(201) }, 'idempotencyKey'],
    ['an empty idempotency key', { idempotencyKey: '  ' }, 'idempotencyKey'],
    ['a concurrency key of 201 characters', { concurrencyKey: 'c'.repeat(201) }, 'concurrencyKey'],
    ['an empty concurrency key', { concurrencyKey: '' }, 'concurrencyKey'],
  ];
  it.each(cases)('refuses %s with BAD_USER_INPUT naming the field, and writes nothing', async (_what, extra, field) => {
    const p = await createProject(ts);
    const r = await ts.gql(CREATE, { i: { projectId: p, title: 'x', ...extra } });
    expect(errorCode(r)).toBe('BAD_USER_INPUT');
    expect(r.errors![0].extensions.field).toBe(field);
    expect(r.errors![0].message).toMatch(new RegExp(field));
    expect(await countTasks(p)).toBe(0);
  });

  it('in createTasks the error names the input, and no input of the call is written', async () => {
    const p = await createProject(ts);
    const r = await ts.gql(CREATE_MANY, { i: [{ projectId: p, title: 'ok' }, { projectId: p, title: 'bad', timeoutSeconds: 0 }] });
    expect(errorCode(r)).toBe('BAD_USER_INPUT');
    expect(r.errors![0].extensions).toMatchObject({ field: 'timeoutSeconds', index: 1 });
    expect(await countTasks(p)).toBe(0);
  });
});

describe('idempotencyKey', () => {
  it('a second create with the key returns the existing task and writes nothing (no task, no event)', async () => {
    const p = await createProject(ts);
    const first = (await ts.ok(CREATE, { i: { projectId: p, title: 'once', idempotencyKey: 'order-1' } })).createTask;
    expect(first).toMatchObject({ status: 'READY', idempotencyKey: 'order-1' });
    const events = await countEvents(p);
    const again = (await ts.ok(CREATE, { i: { projectId: p, title: 'a different title', idempotencyKey: 'order-1', priority: 9 } })).createTask;
    expect(again).toEqual(first);
    expect(await countTasks(p)).toBe(1);
    expect(await countEvents(p)).toBe(events);
  });

  it('keys are per project', async () => {
    const [p, q] = [await createProject(ts), await createProject(ts)];
    const a = (await ts.ok(CREATE, { i: { projectId: p, title: 'a', idempotencyKey: 'same' } })).createTask;
    const b = (await ts.ok(CREATE, { i: { projectId: q, title: 'b', idempotencyKey: 'same' } })).createTask;
    expect(a.id).not.toBe(b.id);
  });

  it('createTasks applies it per input: existing ones are returned (and can be depended on by key), the rest created, in one call', async () => {
    const p = await createProject(ts);
    const existing = (await ts.ok(CREATE, { i: { projectId: p, title: 'e', idempotencyKey: 'e' } })).createTask;
    const events = await countEvents(p);
    const out = (
      await ts.ok(CREATE_MANY, {
        i: [
          { projectId: p, title: 'e again', key: 'e', idempotencyKey: 'e' },
          { projectId: p, title: 'n', key: 'n', idempotencyKey: 'n', dependencyKeys: ['e'] },
          { projectId: p, title: 'm', dependencyKeys: ['n'] },
        ],
      })
    ).createTasks;
    expect(out[0]).toEqual(existing);
    expect(out[1]).toMatchObject({ status: 'PENDING', idempotencyKey: 'n', dependencies: [existing.id] });
    expect(out[2]).toMatchObject({ status: 'PENDING', dependencies: [out[1].id] });
    expect(await countTasks(p)).toBe(3);
    expect(await countEvents(p)).toBe(events + 2);
    // The whole call again creates nothing and returns the same tasks.
    const again = (
      await ts.ok(CREATE_MANY, {
        i: [
          { projectId: p, title: 'e again', key: 'e', idempotencyKey: 'e' },
          { projectId: p, title: 'n', key: 'n', idempotencyKey: 'n', dependencyKeys: ['e'] },
        ],
      })
    ).createTasks;
    expect(again.map((t: { id: string }) => t.id)).toEqual([existing.id, out[1].id]);
    expect(await countTasks(p)).toBe(3);
  });

  it('the same key twice in one createTasks call is BAD_USER_INPUT and nothing is written', async () => {
    const p = await createProject(ts);
    const r = await ts.gql(CREATE_MANY, { i: [{ projectId: p, title: 'a', idempotencyKey: 'k' }, { projectId: p, title: 'b', idempotencyKey: 'k' }] });
    expect(errorCode(r)).toBe('BAD_USER_INPUT');
    expect(r.errors![0].extensions).toMatchObject({ field: 'idempotencyKey', index: 1 });
    expect(await countTasks(p)).toBe(0);
  });

  it('a call that fails writes nothing, its keyed inputs included (all or nothing)', async () => {
    const p = await createProject(ts);
    const missing = '00000000-0000-4000-8000-000000000999';
    const r = await ts.gql(CREATE_MANY, { i: [{ projectId: p, title: 'a', idempotencyKey: 'a' }, { projectId: p, title: 'b', dependencies: [missing] }] });
    expect(errorCode(r)).toBe('TASK_DEPENDENCY_ERROR');
    expect(await countTasks(p)).toBe(0);
  });

  it('20 concurrent creates with one key in one server give one task, and all 20 callers get it', async () => {
    const p = await createProject(ts);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, k) => ts.ok(CREATE, { i: { projectId: p, title: `c${k}`, idempotencyKey: 'race' } })),
    );
    expect(new Set(results.map((r) => r.createTask.id)).size).toBe(1);
    expect(await countTasks(p)).toBe(1);
    expect(await countEvents(p)).toBe(1);
  });

  it('20 concurrent creates with one key against two server processes give one task', async () => {
    const servers = await Promise.all([startServerProcess({ databaseUrl: ts.db.url }), startServerProcess({ databaseUrl: ts.db.url })]);
    try {
      const p = await createProject(ts);
      const send = async (url: string, k: number) => {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...AUTH_HEADERS },
          body: JSON.stringify({ query: CREATE, variables: { i: { projectId: p, title: `c${k}`, idempotencyKey: 'cross' } } }),
        });
        const body = (await res.json()) as { data?: { createTask: { id: string } }; errors?: unknown[] };
        if (body.errors) throw new Error(JSON.stringify(body.errors));
        return body.data!.createTask.id;
      };
      const ids = await Promise.all(Array.from({ length: 20 }, (_, k) => send(servers[k % 2]!.url, k)));
      expect(new Set(ids).size).toBe(1);
      expect(await countTasks(p)).toBe(1);
      expect(await countEvents(p)).toBe(1);
      // Batches too: concurrent createTasks sharing keys end with each key once.
      const batch = (k: number) =>
        fetch(servers[k % 2]!.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...AUTH_HEADERS },
          body: JSON.stringify({
            query: CREATE_MANY,
            variables: { i: ['x', 'y', 'z'].map((key) => ({ projectId: p, title: key, key, idempotencyKey: `b-${key}`, dependencyKeys: key === 'x' ? [] : ['x'] })) },
          }),
        }).then((r) => r.json() as Promise<{ data?: { createTasks: Array<{ id: string }> }; errors?: unknown[] }>);
      const batches = await Promise.all(Array.from({ length: 10 }, (_, k) => batch(k)));
      expect(batches.flatMap((b) => b.errors ?? [])).toEqual([]);
      expect(new Set(batches.map((b) => b.data!.createTasks.map((t) => t.id).join()))).toHaveProperty('size', 1);
      expect(await countTasks(p)).toBe(4);
    } finally {
      await Promise.all(servers.map((s) => s.stop()));
    }
  }, 60_000);
});
