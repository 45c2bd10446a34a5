import { performance } from 'node:perf_hooks';
import { CLAIM_MANY, CLAIM_NEXT, COMPLETE, COMPLETE_MANY, ClaimManyData, ClaimNextData, GqlTransport } from './operations';

/**
 * Worker loops through the public API. They stop when a claim comes back empty (every task of
 * the workload is READY before the clock starts, so "nothing to claim" means "all done") or when
 * `until` (performance.now() ms) has passed: the time cap that keeps the whole bench within its
 * budget on a slow or busy machine. A worker never stops between claim and complete.
 */
export async function perTaskWorker(api: GqlTransport, projectId: string, workerId: string, until = Infinity): Promise<number> {
  let done = 0;
  while (performance.now() < until) {
    const { claimNextTask } = await api.request<ClaimNextData>(CLAIM_NEXT, { projectId, workerId });
    if (!claimNextTask) return done;
    await api.request(COMPLETE, { id: claimNextTask.id, workerId });
    done++;
  }
  return done;
}

export async function batchedWorker(api: GqlTransport, projectId: string, workerId: string, limit: number, until = Infinity): Promise<number> {
  let done = 0;
  while (performance.now() < until) {
    const { claimTasks } = await api.request<ClaimManyData>(CLAIM_MANY, { projectId, workerId, limit });
    if (claimTasks.length === 0) return done;
    await api.request(COMPLETE_MANY, { inputs: claimTasks.map((t) => ({ id: t.id, workerId })) });
    done += claimTasks.length;
  }
  return done;
}

export interface WorkersResult {
  tasks: number;
  seconds: number;
  tasksPerSecond: number;
}

/** Starts `n` workers together and times them until the last one stops. */
export async function runWorkers(n: number, work: (index: number) => Promise<number>): Promise<WorkersResult> {
  const started = process.hrtime.bigint();
  const counts = await Promise.all(Array.from({ length: n }, (_, i) => work(i)));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const tasks = counts.reduce((a, b) => a + b, 0);
  return { tasks, seconds, tasksPerSecond: tasks / seconds };
}
