import { CLAIM_MANY, CLAIM_NEXT, COMPLETE, COMPLETE_MANY, ClaimManyData, ClaimNextData, GqlTransport } from './operations';

/**
 * Worker loops through the public API. They stop when a claim comes back empty: every task of
 * the workload is READY before the clock starts, so "nothing to claim" means "all done".
 */
export async function perTaskWorker(api: GqlTransport, projectId: string, workerId: string): Promise<number> {
  let done = 0;
  for (;;) {
    const { claimNextTask } = await api.request<ClaimNextData>(CLAIM_NEXT, { projectId, workerId });
    if (!claimNextTask) return done;
    await api.request(COMPLETE, { id: claimNextTask.id, workerId });
    done++;
  }
}

export async function batchedWorker(api: GqlTransport, projectId: string, workerId: string, limit: number): Promise<number> {
  let done = 0;
  for (;;) {
    const { claimTasks } = await api.request<ClaimManyData>(CLAIM_MANY, { projectId, workerId, limit });
    if (claimTasks.length === 0) return done;
    await api.request(COMPLETE_MANY, { inputs: claimTasks.map((t) => ({ id: t.id, workerId })) });
    done += claimTasks.length;
  }
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
