import type { EntityManager } from '@mikro-orm/postgresql';
import { BadInputError } from '../domain/errors';
import { assertId, assertJsonSize, LIMITS } from '../domain/task-input';
import { Task } from '../persistence/entities/task.entity';
import { completeAllStatement, completeStatement, REFUSED_SQLSTATE } from '../persistence/sql/complete.sql';
import { preparedSql } from '../persistence/sql/run';
import { StatementVariant } from '../persistence/sql/statement-variants';
import { columnsForTaskFields, toTasks } from '../persistence/sql/task-rows';
import { Coalescer } from './coalescer';
import { COALESCING, ReturnedFields, SchedulerDeps } from './context';
import { assertAttempt, explainLeaseRefusal } from './lease-refusal';
import type { LeaseGuard } from '../auth/principal';

export interface CompleteArgs {
  id: string;
  workerId?: string | null;
  result?: unknown;
  /** Fencing: when given, only this attempt of the task may complete it. */
  attempt?: number | null;
}

interface Completion {
  id: string;
  workerId: string | null;
  result: unknown;
  attempt: number | null;
  /** A WORKER's own-lease guard (src/auth): the task must have been claimed with this token. */
  guard: LeaseGuard | null;
}

function validate(inputs: CompleteArgs[], guard: LeaseGuard | null) {
  const items: Completion[] = inputs.map((i) => ({
    id: assertId(i.id, 'id'),
    workerId: i.workerId ?? null,
    result: i.result === undefined ? null : i.result,
    attempt: assertAttempt(i.attempt),
    guard,
  }));
  for (const item of items) assertJsonSize(item.result, 'result');
  return { items, bindings: bindingsOf(items) };
}

function bindingsOf(items: readonly Completion[]): unknown[] {
  return [
    items.map((i) => i.id),
    items.map((i) => i.workerId),
    items.map((i) => JSON.stringify(i.result)),
    items.map((i) => i.attempt),
    items.map((i) => i.guard?.tokenId ?? null),
  ];
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
  if (!task) throw await explainLeaseRefusal(em, request.item, 'COMPLETED');
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
  if (rows.length > 0) {
    deps.afterCommit();
    deps.dueTimesChanged?.(); // a dependent may now wait SCHEDULED for its runAt
  }
  const byId = new Map(toTasks(rows).map((t) => [t.id, t]));
  const results: (Task | null)[] = requests.map((r) => byId.get(r.item.id) ?? null);
  for (const i of repeats) results[i] = (await runCompletions(deps, [requests[i]!]))[0]!;
  return results;
}

/**
 * completeTasks: many completions in one autocommit statement, all or nothing: a refused input
 * fails the statement (complete.sql.ts, ALL_OR_NOTHING), which rolls back the others, and the
 * caller is told why the first refused one was refused.
 */
export async function completeTasks(em: EntityManager, deps: SchedulerDeps, inputs: CompleteArgs[], returned: ReturnedFields = {}, guard: LeaseGuard | null = null): Promise<Task[]> {
  if (inputs.length === 0) return [];
  if (inputs.length > LIMITS.batchSize) throw new BadInputError(`at most ${LIMITS.batchSize} completions per call`);
  const { items, bindings } = validate(inputs, guard);
  if (new Set(items.map((i) => i.id)).size !== items.length) throw new BadInputError('the same task id appears twice in completeTasks');
  const statement = completeAllStatement(columnsForTaskFields(returned.fields));
  let rows: (Record<string, unknown> & { id: string })[];
  try {
    rows = await preparedSql<Record<string, unknown> & { id: string }>(em, statement.name, statement.text, bindings);
  } catch (e) {
    const { code, detail } = e as { code?: string; detail?: string };
    if (code !== REFUSED_SQLSTATE) throw e;
    throw await explainLeaseRefusal(em, items.find((i) => i.id === detail) ?? items[0]!, 'COMPLETED');
  }
  // No row at all: every input was refused and nothing changed.
  if (rows.length === 0) throw await explainLeaseRefusal(em, items[0]!, 'COMPLETED');
  deps.afterCommit();
  deps.dueTimesChanged?.(); // a dependent may now wait SCHEDULED for its runAt
  const byId = new Map(toTasks(rows).map((t) => [t.id, t]));
  return items.map((i) => byId.get(i.id)!);
}
