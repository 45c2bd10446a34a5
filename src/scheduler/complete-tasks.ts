import type { EntityManager } from '@mikro-orm/postgresql';
import { BadInputError, InvalidTransitionError, LeaseNotHeldError, TaskNotFoundError } from '../domain/errors';
import { assertId, assertJsonSize, LIMITS } from '../domain/task-input';
import { Task } from '../persistence/entities/task.entity';
import { COMPLETE_MANY_SQL, COMPLETE_SQL, LOCK_TASKS_SQL } from '../persistence/sql/complete.sql';
import { sql } from '../persistence/sql/run';
import { toTasks } from '../persistence/sql/task-rows';
import { inTransaction, SchedulerDeps } from './context';
import { promoteDependents } from './descendants';

export interface CompleteArgs {
  id: string;
  workerId?: string | null;
  result?: unknown;
}

/**
 * RUNNING -> COMPLETED and promotion of the dependents it unblocks, in one transaction.
 * A stale request (already completed, cancelled, or claimed by another worker) changes nothing
 * and says why.
 */
export async function completeTask(em: EntityManager, deps: SchedulerDeps, args: CompleteArgs): Promise<Task> {
  const id = assertId(args.id, 'id');
  const result = args.result === undefined ? null : args.result;
  assertJsonSize(result, 'result');
  const workerId = args.workerId ?? null;
  const row = await inTransaction(em, deps, async (tem) => {
    const [done] = await sql<Record<string, unknown> & { locked_dependents: string[] }>(tem, COMPLETE_SQL, [
      JSON.stringify(result),
      id,
      workerId,
      workerId,
    ]);
    if (!done) throw await explainRefusal(tem, id, workerId);
    if (done.locked_dependents.length > 0) await promoteDependents(tem, [id], done.locked_dependents);
    return done;
  });
  return toTasks(em, [row])[0]!;
}

/** completeTasks: many completions in one transaction (all or nothing), locks in id order. */
export async function completeTasks(em: EntityManager, deps: SchedulerDeps, inputs: CompleteArgs[]): Promise<Task[]> {
  if (inputs.length === 0) return [];
  if (inputs.length > LIMITS.batchSize) throw new BadInputError(`at most ${LIMITS.batchSize} completions per call`);
  const items = inputs.map((i) => ({ id: assertId(i.id, 'id'), workerId: i.workerId ?? null, result: i.result === undefined ? null : i.result }));
  if (new Set(items.map((i) => i.id)).size !== items.length) throw new BadInputError('the same task id appears twice in completeTasks');
  for (const item of items) assertJsonSize(item.result, 'result');
  const rows = await inTransaction(em, deps, async (tem) => {
    const ids = items.map((i) => i.id);
    await sql(tem, LOCK_TASKS_SQL, [ids]);
    const done = await sql<Record<string, unknown> & { id: string }>(tem, COMPLETE_MANY_SQL, [
      ids,
      items.map((i) => i.workerId),
      items.map((i) => JSON.stringify(i.result)),
    ]);
    if (done.length !== items.length) {
      const doneIds = new Set(done.map((d) => d.id));
      const refused = items.find((i) => !doneIds.has(i.id))!;
      throw await explainRefusal(tem, refused.id, refused.workerId);
    }
    await promoteDependents(tem, ids);
    return done;
  });
  const byId = new Map(toTasks(em, rows).map((t) => [t.id, t]));
  return items.map((i) => byId.get(i.id)!);
}

async function explainRefusal(tem: EntityManager, id: string, workerId: string | null): Promise<Error> {
  const [row] = await sql<{ status: string; worker_id: string | null }>(tem, 'select status, worker_id from task where id = ?', [id]);
  if (!row) return new TaskNotFoundError(id);
  if (row.status !== 'RUNNING') {
    return new InvalidTransitionError(row.status, 'COMPLETED', {
      taskId: id,
      recovery: row.status === 'COMPLETED' ? 'The task is already completed; nothing to do.' : 'Only a RUNNING task can be completed; claim it first.',
    });
  }
  return new LeaseNotHeldError(id, workerId ?? '');
}
