import type { EntityManager } from '@mikro-orm/postgresql';
import { BadInputError, InvalidTransitionError, LeaseNotHeldError, TaskNotFoundError } from '../domain/errors';
import { assertId, assertJsonSize, LIMITS } from '../domain/task-input';
import { Task } from '../persistence/entities/task.entity';
import { completeStatement } from '../persistence/sql/complete.sql';
import { preparedSql, sql } from '../persistence/sql/run';
import { columnsForTaskFields, toTasks } from '../persistence/sql/task-rows';
import { ReturnedFields, SchedulerDeps } from './context';

export interface CompleteArgs {
  id: string;
  workerId?: string | null;
  result?: unknown;
}

function validate(inputs: CompleteArgs[]) {
  const items = inputs.map((i) => ({ id: assertId(i.id, 'id'), workerId: i.workerId ?? null, result: i.result === undefined ? null : i.result }));
  for (const item of items) assertJsonSize(item.result, 'result');
  return { items, bindings: [items.map((i) => i.id), items.map((i) => i.workerId), items.map((i) => JSON.stringify(i.result))] };
}

/**
 * RUNNING -> COMPLETED and promotion of the dependents it unblocks: one statement
 * (complete.sql.ts), so it runs in autocommit. A stale request (already completed, cancelled,
 * or claimed by another worker) changes nothing and says why.
 */
export async function completeTask(em: EntityManager, deps: SchedulerDeps, args: CompleteArgs & ReturnedFields): Promise<Task> {
  const { items, bindings } = validate([args]);
  const statement = completeStatement(columnsForTaskFields(args.fields));
  const rows = await preparedSql(em, statement.name, statement.text, bindings);
  if (rows.length === 0) throw await explainRefusal(em, items[0]!.id, items[0]!.workerId);
  deps.afterCommit();
  return toTasks(rows)[0]!;
}

/** completeTasks: many completions in one transaction, all or nothing. */
export async function completeTasks(em: EntityManager, deps: SchedulerDeps, inputs: CompleteArgs[], returned: ReturnedFields = {}): Promise<Task[]> {
  if (inputs.length === 0) return [];
  if (inputs.length > LIMITS.batchSize) throw new BadInputError(`at most ${LIMITS.batchSize} completions per call`);
  const { items, bindings } = validate(inputs);
  if (new Set(items.map((i) => i.id)).size !== items.length) throw new BadInputError('the same task id appears twice in completeTasks');
  const rows = await em.transactional(async (tem) => {
    const done = await sql<Record<string, unknown> & { id: string }>(tem as EntityManager, completeStatement(columnsForTaskFields(returned.fields)).text, bindings);
    if (done.length !== items.length) {
      const doneIds = new Set(done.map((d) => d.id));
      const refused = items.find((i) => !doneIds.has(i.id))!;
      throw await explainRefusal(tem as EntityManager, refused.id, refused.workerId);
    }
    return done;
  });
  deps.afterCommit();
  const byId = new Map(toTasks(rows).map((t) => [t.id, t]));
  return items.map((i) => byId.get(i.id)!);
}

async function explainRefusal(em: EntityManager, id: string, workerId: string | null): Promise<Error> {
  const [row] = await sql<{ status: string; worker_id: string | null }>(em, 'select status, worker_id from task where id = ?', [id]);
  if (!row) return new TaskNotFoundError(id);
  if (row.status !== 'RUNNING') {
    return new InvalidTransitionError(row.status, 'COMPLETED', {
      taskId: id,
      recovery: row.status === 'COMPLETED' ? 'The task is already completed; nothing to do.' : 'Only a RUNNING task can be completed; claim it first.',
    });
  }
  return new LeaseNotHeldError(id, workerId ?? '');
}
