import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TestServer } from '../helpers/server';
import { claim, complete, createProject, createTask, errorCode } from '../helpers/fixtures';
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

const PAUSE = `mutation($id: ID!) { pauseProject(id: $id) { id paused } }`;
const RESUME = `mutation($id: ID!) { resumeProject(id: $id) { id paused } }`;
const CLAIM_MANY = `mutation($p: ID!, $n: Int!) { claimTasks(projectId: $p, workerId: "w", limit: $n) { id title concurrencyKey } }`;
const SET_LIMIT = `mutation($p: ID!, $k: String!, $l: Int) { setConcurrencyLimit(projectId: $p, key: $k, limit: $l) }`;

describe('pauseProject / resumeProject', () => {
  it('claims return nothing while paused; everything else works; projectChanged tells subscribers', async () => {
    const p = await createProject(ts);
    const other = await createProject(ts);
    const a = await createTask(ts, { projectId: p, title: 'a' });
    const changes = await collect<{ id: string; paused: boolean }>(live, `subscription($p: ID) { projectChanged(projectId: $p) { id paused } }`, { p }, () =>
      ts.server.services.projectChanges.subscriberCount > 0,
    );

    expect((await ts.ok(PAUSE, { id: p })).pauseProject).toEqual({ id: p, paused: true });
    await changes.waitFor(1);
    expect(changes.events[0]).toEqual({ id: p, paused: true });
    expect(await claim(ts, p)).toBeNull();
    expect((await ts.ok(CLAIM_MANY, { p, n: 5 })).claimTasks).toEqual([]);
    // Everything else works: creating, reading, cancelling; other projects are untouched.
    const b = await createTask(ts, { projectId: p, title: 'b' });
    expect((await ts.ok(`query($id: ID!) { project(id: $id) { paused } }`, { id: p })).project.paused).toBe(true);
    await createTask(ts, { projectId: other, title: 'elsewhere' });
    expect((await claim(ts, other)).title).toBe('elsewhere');
    await ts.ok(PAUSE, { id: other });
    await ts.ok(RESUME, { id: other });

    expect((await ts.ok(RESUME, { id: p })).resumeProject).toEqual({ id: p, paused: false });
    await changes.waitFor(2);
    // Filtered by project: the other project's pause and resume did not arrive.
    expect(changes.events).toEqual([
      { id: p, paused: true },
      { id: p, paused: false },
    ]);
    expect((await claim(ts, p)).id).toBe(a.id);
    expect((await claim(ts, p)).id).toBe(b.id);
    changes.unsubscribe();
  });

  it('an unknown project is PROJECT_NOT_FOUND', async () => {
    expect(errorCode(await ts.gql(PAUSE, { id: '00000000-0000-4000-8000-000000000000' }))).toBe('PROJECT_NOT_FOUND');
  });
});

describe('setConcurrencyLimit', () => {
  it('validates and returns the limit; null removes it; concurrencyLimits lists them', async () => {
    const p = await createProject(ts);
    expect(errorCode(await ts.gql(SET_LIMIT, { p, k: 'api', l: -1 }))).toBe('BAD_USER_INPUT');
    expect(errorCode(await ts.gql(SET_LIMIT, { p, k: ' ', l: 1 }))).toBe('BAD_USER_INPUT');
    expect((await ts.ok(SET_LIMIT, { p, k: 'api', l: 2 })).setConcurrencyLimit).toBe(2);
    expect((await ts.ok(SET_LIMIT, { p, k: 'api', l: 3 })).setConcurrencyLimit).toBe(3);
    expect((await ts.ok(SET_LIMIT, { p, k: 'db', l: 1 })).setConcurrencyLimit).toBe(1);
    const list = async () => (await ts.ok(`query($p: ID!) { concurrencyLimits(projectId: $p) { key limit running waiting } }`, { p })).concurrencyLimits;
    expect(await list()).toEqual([
      { key: 'api', limit: 3, running: 0, waiting: 0 },
      { key: 'db', limit: 1, running: 0, waiting: 0 },
    ]);
    expect((await ts.ok(SET_LIMIT, { p, k: 'db', l: null })).setConcurrencyLimit).toBeNull();
    expect((await list()).map((l: { key: string }) => l.key)).toEqual(['api']);
  });

  it('the claim skips tasks over the limit, which keep their place; unkeyed and other tasks still go', async () => {
    const p = await createProject(ts);
    const keyed = [];
    for (let k = 0; k < 5; k++) keyed.push(await createTask(ts, { projectId: p, title: `k${k}`, priority: 9, concurrencyKey: 'api' }));
    const free = [await createTask(ts, { projectId: p, title: 'free0', priority: 1 }), await createTask(ts, { projectId: p, title: 'free1', priority: 1 })];
    await ts.ok(SET_LIMIT, { p, k: 'api', l: 2 });

    // One statement for 10 slots: the first two keyed tasks, then the free ones behind the rest.
    const first = (await ts.ok(CLAIM_MANY, { p, n: 10 })).claimTasks.map((t: { title: string }) => t.title);
    expect(first).toEqual(['k0', 'k1', 'free0', 'free1']);
    expect(await claim(ts, p)).toBeNull();
    const limits = (await ts.ok(`query($p: ID!) { concurrencyLimits(projectId: $p) { running waiting } }`, { p })).concurrencyLimits;
    expect(limits).toEqual([{ running: 2, waiting: 3 }]);

    // A place frees: the next in queue order takes it, not anything later.
    await complete(ts, keyed[0].id, 'w');
    expect((await claim(ts, p)).title).toBe('k2');
    expect(await claim(ts, p)).toBeNull();

    // Raising the limit lets more start at once; 0 stops the key; null removes the limit.
    await ts.ok(SET_LIMIT, { p, k: 'api', l: 3 });
    expect((await claim(ts, p)).title).toBe('k3');
    await ts.ok(SET_LIMIT, { p, k: 'api', l: 0 });
    await complete(ts, keyed[1].id, 'w');
    expect(await claim(ts, p)).toBeNull();
    await ts.ok(SET_LIMIT, { p, k: 'api', l: null });
    expect((await claim(ts, p)).title).toBe('k4');
  });

  it('a claimer facing only over-limit tasks gets null at once, without retrying in a loop', async () => {
    const p = await createProject(ts);
    await createTask(ts, { projectId: p, title: 'only', concurrencyKey: 'solo' });
    await ts.ok(SET_LIMIT, { p, k: 'solo', l: 0 });
    const statements = ts.server.services.scheduler.claims.statements;
    expect(await claim(ts, p)).toBeNull();
    expect(ts.server.services.scheduler.claims.statements - statements).toBe(1);
  });
});
