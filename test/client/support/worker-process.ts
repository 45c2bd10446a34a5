/**
 * A worker in its own process (for the SIGKILL / SIGTERM tests), built on the client package as
 * a user would use it. Environment: TASKQ_URL, TASKQ_TOKEN, PROJECT, CONCURRENCY, LEASE,
 * GRACE_MS. A task's context.sleepMs says how long its handler runs (absent: until aborted).
 * Prints "claimed <id>" and "aborted <id>" lines on stdout for the test to follow.
 */
import { createWorker } from '../../../client/src';

const worker = createWorker({
  url: process.env.TASKQ_URL!,
  token: process.env.TASKQ_TOKEN,
  projectId: process.env.PROJECT!,
  concurrency: Number(process.env.CONCURRENCY ?? 1),
  leaseSeconds: Number(process.env.LEASE ?? 30),
  shutdownGraceMs: Number(process.env.GRACE_MS ?? 25_000),
  handler: async (task, ctx) => {
    process.stdout.write(`claimed ${task.id}\n`);
    const sleepMs = (task.context as { sleepMs?: number }).sleepMs;
    await new Promise<void>((resolve, reject) => {
      const timer = sleepMs === undefined ? null : setTimeout(resolve, sleepMs);
      ctx.signal.addEventListener('abort', () => {
        if (timer) clearTimeout(timer);
        process.stdout.write(`aborted ${task.id}\n`);
        reject(ctx.signal.reason);
      });
    });
    return { by: ctx.workerId };
  },
});
worker.on('error', () => {});
