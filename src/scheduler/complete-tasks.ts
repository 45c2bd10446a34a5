import type { EntityManager } from '@mikro-orm/postgresql';
import { BadInputError, InvalidTransitionError, LeaseNotHeldError, TaskNotFoundError } from '../domain/errors';
import { assertId, assertJsonSize, LIMITS } from '../domain/task-input';
import { Task } from '../persistence/entities/task.entity';
import { completeStatement } from '../persistence/sql/complete.sql';
import { preparedSql, sql } from '../persistence/sql/run';
import { StatementVariant } from '../persistence/sql/statement-variants';
import { columnsForTaskFields, toTasks } from '../persistence/sql/task-rows';
import { Coalescer } from './coalescer';
import { COALESCING, ReturnedFields, SchedulerDeps } from './context';
import type { LeaseGuard } from '../auth/principal';

export interface CompleteArgs {
  id: string;
  workerId?: string | null;
  result?: unknown;
}

interface Completion {
  id: string;
  workerId: string | null;
  result: unknown;
  /** A WORKER's own-lease guard (src/auth): the task must have been claimed with this token. */
  guard: LeaseGuard | null;
}

function validate(inputs: CompleteArgs[], guard: LeaseGuard | null) {
  const items: Completion[] = inputs.map((i) => ({ id: assertId(i.id, 'id'), workerId: i.workerId ?? null, result: i.result === undefined ? null : i.result, guard }));
  for (const item of items) assertJsonSize(item.result, 'result');
  return { items, bindings: bindingsOf(items) };
}

function bindingsOf(items: readonly Completion[]): unknown[] {
  return [items.map((i) => i.id), items.map((i) => i.workerId), items.map((i) => JSON.stringify(i.result)), items.map((i) => i.guard?.tokenId ?? null)];
}

/** One caller's completeTask, as the coalescer batches it with others returning the same columns. */
interface CompleteRequest {
  em: EntityManager;
  statement: StatementVariant;
  item: Completion;
}

export type CompleteCoalescer = Coalescer<CompleteRequest, Task | null>;

export function completeCoalescer(deps: SchedulerDeps): CompleteCoalescer {
  return new Coalescer((requests) => runCompletions(deps, requests), COALESCING);
}

/**
 * RUNNING -> COMPLETED and promotion of the dependents it unblocks: one statement
 * (complete.sql.ts), so it runs in autocommit, shared by the completeTask calls that arrive
 * together (coalescer.ts). A stale request (already completed, cancelled, or claimed by another
 * worker) changes nothing and says why.
 */
export async function completeTask(
  em: EntityManager,
  deps: SchedulerDeps,
  args: CompleteArgs & ReturnedFields & { guard?: LeaseGuard | null },
  coalescer: CompleteCoalescer,
): Promise<Task> {
  const { items } = validate([args], args.guard ?? null);
  const request: CompleteRequest = { em, statement: completeStatement(columnsForTaskFields(args.fields)), item: items[0]! };
  // Inside a caller's transaction the completion must run on that transaction, alone.
  const task = await (em.getTransactionContext() ? coalescer.alone(request) : coalescer.submit(request.statement.name, request));
  if (!task) throw await explainRefusal(em, request.item);
  return task;
}

/**
 * Completions in one statement; null for each one the statement refused. A task named twice in a
 * batch (two racing calls) is completed by the first; the second then runs alone and is told
 * the task is already completed, as it would be had the calls not met.
 */
async function runCompletions(deps: SchedulerDeps, requests: CompleteRequest[]): Promise<(Task | null)[]> {
  const seen = new Set<string>();
  const distinct: CompleteRequest[] = [];
  const repeats: number[] = [];
  requests.forEach((r, i) => {
    if (seen.has(r.item.id)) repeats.push(i);
    else {
      seen.add(r.item.id);
      distinct.push(r);
    }
  });
  const { em, statement } = requests[0]!;
  const rows = await preparedSql<Record<string, unknown> & { id: string }>(em, statement.name, statement.text, bindingsOf(distinct.map((r) => r.item)));
  if (rows.length > 0) deps.afterCommit();
  const byId = new Map(toTasks(rows).map((t) => [t.id, t]));
  const results: (Task | null)[] = requests.map((r) => byId.get(r.item.id) ?? null);
  for (const i of repeats) results[i] = (await runCompletions(deps, [requests[i]!]))[0]!;
  return results;
}

/** completeTasks: many completions in one transaction, all or nothing. */
export async function completeTasks(em: EntityManager, deps: SchedulerDeps, inputs: CompleteArgs[], returned: ReturnedFields = {}, guard: LeaseGuard | null = null): Promise<Task[]> {
  if (inputs.length === 0) return [];
  if (inputs.length > LIMITS.batchSize) throw new BadInputError(`at most ${LIMITS.batchSize} completions per call`);
  const { items, bindings } = validate(inputs, guard);
  if (new Set(items.map((i) => i.id)).size !== items.length) throw new BadInputError('the same task id appears twice in completeTasks');
  const rows = await em.transactional(async (tem) => {
    const done = await sql<Record<string, unknown> & { id: string }>(tem as EntityManager, completeStatement(columnsForTaskFields(returned.fields)).text, bindings);
    if (done.length !== items.length) {
      const doneIds = new Set(done.map((d) => d.id));
      const refused = items.find((i) => !doneIds.has(i.id))!;
      throw await explainRefusal(tem as EntityManager, refused);
    }
    return done;
  });
  deps.afterCommit();
  const byId = new Map(toTasks(rows).map((t) => [t.id, t]));
  return items.map((i) => byId.get(i.id)!);
}

async function explainRefusal(em: EntityManager, { id, workerId, guard }: Completion): Promise<Error> {
  const [row] = await sql<{ status: string; project_id: string }>(em, 'select status, project_id::text from task where id = ?', [id]);
  // Outside a WORKER token's project the task does not exist for it.
  if (!row || (guard?.projectId && row.project_id !== guard.projectId)) return new TaskNotFoundError(id);
  if (row.status !== 'RUNNING') {
    return new InvalidTransitionError(row.status, 'COMPLETED', {
      taskId: id,
      recovery: row.status === 'COMPLETED' ? 'The task is already completed; nothing to do.' : 'Only a RUNNING task can be completed; claim it first.',
    });
  }
  return new LeaseNotHeldError(id, workerId ?? '');
}
