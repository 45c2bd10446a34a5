import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TestServer } from '../helpers/server';
import { createProject, getTask } from '../helpers/fixtures';
import { subscriberCount, waitUntil } from '../helpers/ws-client';
import { TEST_ADMIN_TOKEN } from '../helpers/auth';
import { mintToken } from '../helpers/tokens';
import { createClient, createWorker, NonRetryableError, TaskCancelledError, TaskTimeoutError, LeaseLostError, Worker } from '../../client/src';

let ts: TestServer;
const workers: Worker[] = [];
beforeAll(async () => {
  ts = await startTestServer({ config: { sweepIntervalMs: 100 } });
});
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.close({ force: true })));
});
afterAll(async () => {
  await ts?.close();
});

function worker(options: Partial<Parameters<typeof createWorker>[0]> & Pick<Parameters<typeof createWorker>[0], 'projectId' | 'handler'>): Worker {
  const w = createWorker({ url: ts.url, token: TEST_ADMIN_TOKEN, handleSignals: false, pollIntervalMs: 1_000, ...options });
  w.on('error', () => {});
  workers.push(w);
  return w;
}

async function statuses(projectId: string): Promise<Record<string, number>> {
  const rows = (await ts.orm.em.fork().getConnection().execute(`select status, count(*)::int as n from task where project_id = '${projectId}' group by status`)) as { status: string; n: number }[];
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

describe('createWorker', () => {
  it('runs every task once with results stored, never more handlers at once than its concurrency', async () => {
    const p = await createProject(ts);
    const client = createClient({ url: ts.url, token: TEST_ADMIN_TOKEN });
    await client.createTasks(Array.from({ length: 40 }, (_, k) => ({ projectId: p, title: `t${k}`, context: { k } })));
    let now = 0;
    let max = 0;
    const seen: string[] = [];
    const w = worker({
      projectId: p,
      concurrency: 4,
      handler: async (task, ctx) => {
        now++;
        max = Math.max(max, now);
        seen.push(task.id);
        expect(ctx.attempt).toBe(1);
        await new Promise((r) => setTimeout(r, 10 + Math.random() * 30));
        now--;
        return { doubled: (task.context as { k: number }).k * 2 };
      },
    });
    await waitUntil(async () => (await statuses(p)).COMPLETED === 40, 30_000, 'all 40 tasks completed');
    expect(max).toBeLessThanOrEqual(4);
    expect(max).toBeGreaterThan(1);
    expect(new Set(seen).size).toBe(40);
    expect(seen.length).toBe(40);
    const page = await client.tasks({ projectId: p }, { first: 100 });
    for (const t of page.tasks) expect(t.result).toEqual({ doubled: (t.context as { k: number }).k * 2 });
    expect(w.stats()).toMatchObject({ completed: 40, running: 0, held: 0 });
  });

  it('wakes on taskReady for work created after it went idle, and a thrown error fails the task', async () => {
    const p = await createProject(ts);
    const client = createClient({ url: ts.url, token: TEST_ADMIN_TOKEN });
    const failed: string[] = [];
    const w = worker({
      projectId: p,
      pollIntervalMs: 60_000, // only taskReady can wake it in time
      handler: async (task) => {
        if (task.title === 'bad') throw new NonRetryableError('validation of the input failed');
        if (task.title === 'flaky') throw new Error('upstream 503');
        return 'ok';
      },
    });
    w.on('failed', (t) => failed.push(t.title));
    // Idle and listening (taskReady and its cancellation watch registered) before work arrives.
    await waitUntil(async () => (await subscriberCount(ts.url)) >= 2, 5_000, 'the worker to subscribe');
    const [bad, flaky, good] = await client.createTasks([
      { projectId: p, title: 'bad' },
      { projectId: p, title: 'flaky', maxRetries: 1 },
      { projectId: p, title: 'good' },
    ]);
    await waitUntil(async () => (await getTask(ts, good!.id)).status === 'COMPLETED', 10_000, 'the good task completed');
    await waitUntil(async () => failed.length >= 2, 10_000, 'both failures sent');
    const b = await getTask(ts, bad!.id);
    expect(b).toMatchObject({ status: 'FAILED', retryCount: 0 });
    expect(b.metadata.error).toMatch(/NonRetryableError: validation/);
    const f = await getTask(ts, flaky!.id);
    expect(f).toMatchObject({ status: 'RETRYING', retryCount: 1 });
  });

  it("a cancelled task's handler sees its signal within a second, and the worker goes on", async () => {
    const p = await createProject(ts);
    const client = createClient({ url: ts.url, token: TEST_ADMIN_TOKEN });
    let abortedAt = 0;
    let reason: unknown = null;
    const started = new Promise<string>((resolve) => {
      worker({
        projectId: p,
        handler: (task, ctx) =>
          new Promise((_, reject) => {
            resolve(task.id);
            ctx.signal.addEventListener('abort', () => {
              abortedAt = Date.now();
              reason = ctx.signal.reason;
              reject(ctx.signal.reason);
            });
          }),
      });
    });
    const t = await client.createTask({ projectId: p, title: 'long' });
    expect(await started).toBe(t.id);
    const cancelledAt = Date.now();
    await client.cancelTask(t.id, 'no longer needed');
    await waitUntil(() => abortedAt > 0, 5_000, 'the handler to see its signal');
    expect(abortedAt - cancelledAt).toBeLessThan(1_000);
    expect(reason).toBeInstanceOf(TaskCancelledError);
    expect((await getTask(ts, t.id)).status).toBe('CANCELLED');
  });

  it('a lost lease aborts the handler (LeaseLostError) and its late result is never sent', async () => {
    const p = await createProject(ts);
    const client = createClient({ url: ts.url, token: TEST_ADMIN_TOKEN });
    let reason: unknown = null;
    const lost: string[] = [];
    let release!: () => void;
    const w = worker({
      projectId: p,
      leaseSeconds: 30,
      handler: (task, ctx) =>
        new Promise((resolve) => {
          ctx.signal.addEventListener('abort', () => {
            reason = ctx.signal.reason;
            // Ignores the signal and "finishes" later: the result must be dropped.
            release = () => resolve('late');
          });
        }),
    });
    w.on('leaseLost', (t) => lost.push(t.id));
    const t = await client.createTask({ projectId: p, title: 'x', maxRetries: 0 });
    await waitUntil(async () => (await getTask(ts, t.id)).status === 'RUNNING', 5_000, 'claimed');
    // The lease runs out (as if the worker had been unreachable): the sweeper ends the attempt.
    await ts.orm.em.fork().getConnection().execute(`update task set lease_expires_at = now() - interval '1 second' where id = '${t.id}'`);
    await waitUntil(() => reason !== null, 5_000, 'the handler to see its signal');
    expect(reason).toBeInstanceOf(LeaseLostError);
    expect(lost).toEqual([t.id]);
    release();
    await new Promise((r) => setTimeout(r, 300));
    const after = await getTask(ts, t.id);
    expect(after.status).toBe('FAILED');
    expect(after.result).toBeNull();
  });

  it("timeoutSeconds aborts the handler's signal at the deadline (TaskTimeoutError); the server ends the attempt, the worker sends nothing", async () => {
    const p = await createProject(ts);
    const client = createClient({ url: ts.url, token: TEST_ADMIN_TOKEN });
    const reasons: unknown[] = [];
    const timedOut: string[] = [];
    const w = worker({
      projectId: p,
      // A selection without timeoutSeconds: the worker fetches it anyway.
      taskFields: 'title',
      handler: (task, ctx) => {
        expect(task.timeoutSeconds).toBe(1);
        if (ctx.attempt > 1) return 'second attempt';
        return new Promise((resolve) => {
          ctx.signal.addEventListener('abort', () => {
            reasons.push(ctx.signal.reason);
            // Ignores the signal and "finishes": that result must never be sent.
            resolve('late');
          });
        });
      },
    });
    w.on('timedOut', (t) => timedOut.push(t.id));
    const t = await client.createTask({ projectId: p, title: 'slow', timeoutSeconds: 1, maxRetries: 1 });
    await waitUntil(async () => (await getTask(ts, t.id)).status === 'COMPLETED', 20_000, 'the second attempt to complete');
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toBeInstanceOf(TaskTimeoutError);
    expect((reasons[0] as Error).message).toBe(`task ${t.id} timed out after 1 s`);
    expect(timedOut).toEqual([t.id]);
    const done = await getTask(ts, t.id);
    expect(done.result).toBe('second attempt');
    // The server ended the first attempt (its message; retried at once). Had the worker failed it
    // itself, the retry would wait out failTask's backoff (60 s) and the error would be the worker's.
    expect(done.metadata.error).toBe(`Timed out after 1 s (worker ${w.workerId})`);
    const [{ n }] = (await ts.orm.em.fork().getConnection().execute(`select count(*)::int as n from task_event where task_id = '${t.id}' and previous_status = 'RUNNING' and status = 'RETRYING'`)) as { n: number }[];
    expect(n).toBe(1);
    expect(w.stats()).toMatchObject({ timedOut: 1, completed: 1, failed: 0, running: 0, held: 0 });
  });

  it('ctx.progress reaches Task.progress; close() releases what still runs without charging a retry', async () => {
    const p = await createProject(ts);
    const client = createClient({ url: ts.url, token: TEST_ADMIN_TOKEN });
    const t = await client.createTask({ projectId: p, title: 'slow' });
    let aborted = false;
    const w = worker({
      projectId: p,
      shutdownGraceMs: 200,
      handler: async (_task, ctx) => {
        await ctx.progress(42, 'halfway');
        await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
        aborted = true;
        return 'never sent';
      },
    });
    await waitUntil(async () => (await client.task(t.id))?.progress?.percent === 42, 5_000, 'the progress report');
    expect((await client.task(t.id))!.progress).toMatchObject({ percent: 42, message: 'halfway' });
    await w.close();
    expect(aborted).toBe(true);
    const after = await getTask(ts, t.id);
    expect(after).toMatchObject({ status: 'READY', retryCount: 0, result: null });
  });

  it('runs on a WORKER token of its project: claims, renews, reports progress, completes and releases with it', async () => {
    const p = await createProject(ts);
    const { token } = await mintToken(ts, { role: 'WORKER', projectId: p });
    const client = createClient({ url: ts.url, token: TEST_ADMIN_TOKEN });
    const [a, b, hold] = await client.createTasks([
      { projectId: p, title: 'a', context: { n: 1 } },
      { projectId: p, title: 'b', context: { n: 2 } },
      { projectId: p, title: 'hold' },
    ]);
    const errors: unknown[] = [];
    const leaseOf = async (id: string) =>
      new Date(((await ts.orm.em.fork().getConnection().execute(`select lease_expires_at from task where id = ?`, [id])) as { lease_expires_at: string | Date }[])[0]!.lease_expires_at).getTime();
    const w = worker({
      projectId: p,
      token,
      concurrency: 3,
      leaseSeconds: 3, // renewed every second
      shutdownGraceMs: 200,
      handler: async (task, ctx) => {
        if (task.title === 'hold') return new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
        await ctx.progress(50, 'half');
        // Held until one heartbeatTasks (sent with the WORKER token) has renewed this very lease.
        const claimedUntil = await leaseOf(task.id);
        await waitUntil(async () => (await leaseOf(task.id)) > claimedUntil, 10_000, 'the lease to be renewed');
        return { n: (task.context as { n: number }).n };
      },
    });
    w.on('error', (e) => errors.push(e));
    w.on('failed', (_t, e) => errors.push(e));
    await waitUntil(async () => (await statuses(p)).COMPLETED === 2, 20_000, 'a and b completed');
    for (const [t, n] of [[a!, 1], [b!, 2]] as const) {
      expect(await getTask(ts, t.id)).toMatchObject({ status: 'COMPLETED', result: { n } });
      expect((await client.task(t.id))!.progress).toMatchObject({ percent: 50, message: 'half' });
    }
    // The task claimed with this token is its to hand back (releaseTasks) when the worker stops.
    expect((await getTask(ts, hold!.id)).status).toBe('RUNNING');
    await w.close();
    expect(await getTask(ts, hold!.id)).toMatchObject({ status: 'READY', retryCount: 0 });
    expect(errors).toEqual([]);
    expect(w.stats()).toMatchObject({ completed: 2, leaseLost: 0 });
  });
});
