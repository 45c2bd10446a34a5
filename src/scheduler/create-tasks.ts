import type { EntityManager } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import type { ComplexityEstimate } from '../domain/complexity';
import { BadInputError, TaskDependencyError } from '../domain/errors';
import { findCycles, topologicalLevels } from '../domain/dependency-graph';
import { deadlineOf, effectivePriority } from '../domain/effective-priority';
import { LIMITS, NewTaskInput, ValidTaskInput, validateTaskInput } from '../domain/task-input';
import { statusAtCreation, TaskStatus } from '../domain/task-status';
import type { Task } from '../persistence/entities/task.entity';
import { GAIN_DEPENDENTS_SQL } from '../persistence/sql/effective-priority.sql';
import { insertTasksStatement, LOCK_REFERENCED_TASKS_SQL, TASKS_BY_IDEMPOTENCY_KEY_SQL } from '../persistence/sql/insert-tasks.sql';
import type { StatementVariant } from '../persistence/sql/statement-variants';
import { preparedSql, sql } from '../persistence/sql/run';
import { columnsForTaskFields, toTasks } from '../persistence/sql/task-rows';
import { Coalescer } from './coalescer';
import { COALESCING, ReturnedFields, SchedulerDeps } from './context';
import { requireProjectIds } from './projects';
import { estimateTask } from './task-estimate';

interface Planned {
  input: ValidTaskInput;
  id: string;
  /** Ids of every dependency: existing tasks and tasks of this call. */
  dependsOn: string[];
  /** Some task of the same call depends on this one (+1 effective priority). */
  hasDependents: boolean;
  complexity: ComplexityEstimate;
}

/** One createTask(s) call, validated and planned (ids, edges, estimates) before any query. */
export interface CreateCall {
  em: EntityManager;
  planned: Planned[];
  /** Names existing tasks (dependencies, parentTaskId): needs locks and a transaction. */
  referencesExisting: boolean;
  /** The insert statement returning the columns this caller reads; calls sharing it are grouped. */
  statement: StatementVariant;
}

export type CreateCoalescer = Coalescer<CreateCall, Task[]>;

/**
 * Group commit for creation, like claims and completions (coalescer.ts): concurrent createTask(s)
 * calls go out together as one write (one statement, one commit when they name no existing
 * task). Each call was validated and planned on its own, so the calls of a group are independent;
 * if the group fails (a missing project, a missing dependency) the coalescer retries each call
 * alone, so a failing call fails only its caller.
 */
export function createCoalescer(deps: SchedulerDeps): CreateCoalescer {
  return new Coalescer((calls) => writeCalls(deps, calls), COALESCING);
}

/**
 * createTask / createTasks: a whole DAG, all or nothing. Inputs may refer to each other by `key`
 * (dependencyKeys) and to existing tasks by id (dependencies). An input whose idempotencyKey
 * exists in its project returns that task and writes nothing.
 */
export async function createTasks(
  em: EntityManager,
  deps: SchedulerDeps,
  rawInputs: NewTaskInput[],
  coalescer?: CreateCoalescer,
  returned: ReturnedFields = {},
): Promise<Task[]> {
  const call = prepareCall(em, deps, rawInputs, returned);
  // Inside a caller's transaction (decomposeTask) the write must run on it, alone.
  if (!coalescer || em.getTransactionContext()) return (await writeCalls(deps, [call]))[0]!;
  return coalescer.submit(call.statement.name, call);
}

/** Validation, planning, cycle checks and estimates: pure work, done before any query. */
function prepareCall(em: EntityManager, deps: SchedulerDeps, rawInputs: NewTaskInput[], returned: ReturnedFields): CreateCall {
  if (rawInputs.length === 0) throw new BadInputError('inputs must contain at least one task');
  if (rawInputs.length > LIMITS.batchSize) throw new BadInputError(`at most ${LIMITS.batchSize} tasks per createTasks call; split the batch`);
  const now = deps.now();
  const inputs = rawInputs.map((raw, i) => {
    try {
      return validateTaskInput(raw, now);
    } catch (e) {
      if (e instanceof BadInputError && rawInputs.length > 1) throw new BadInputError(`inputs[${i}]: ${e.message}`, { ...e.extensions, index: i });
      throw e;
    }
  });
  const planned = planBatch(inputs);
  for (const p of planned) p.complexity = estimateTask(deps, { id: p.id, title: p.input.title, description: p.input.description }, p.dependsOn, now);
  const referencesExisting = inputs.some((i) => i.dependencies.length > 0 || i.parentTaskId !== null);
  // Calls with no idempotency key get the statement without conflict handling (grouped apart).
  const keyed = inputs.some((i) => i.idempotencyKey !== null);
  return { em, planned, referencesExisting, statement: insertTasksStatement(columnsForTaskFields(returned.fields), keyed) };
}

/** Assigns ids, resolves `dependencyKeys` within the call and refuses cycles among them. */
function planBatch(inputs: ValidTaskInput[]): Planned[] {
  const planned: Planned[] = inputs.map((input) => ({
    input,
    id: randomUUID() as string,
    dependsOn: [...input.dependencies],
    hasDependents: false,
    complexity: null as unknown as ComplexityEstimate,
  }));
  const byKey = new Map<string, Planned>();
  const idempotencyKeys = new Set<string>();
  planned.forEach((p, i) => {
    const idem = p.input.idempotencyKey;
    if (idem !== null) {
      const scoped = `${p.input.projectId}|${idem}`;
      if (idempotencyKeys.has(scoped)) {
        throw new BadInputError(`inputs[${i}]: idempotencyKey "${idem}" is used by more than one input of this call; each task needs its own`, { field: 'idempotencyKey', index: i });
      }
      idempotencyKeys.add(scoped);
    }
    if (p.input.key === null) return;
    if (byKey.has(p.input.key)) throw new BadInputError(`key "${p.input.key}" is used by more than one input; keys must be unique within one call`, { key: p.input.key });
    byKey.set(p.input.key, p);
  });
  for (const p of planned) {
    for (const key of p.input.dependencyKeys) {
      const target = byKey.get(key);
      if (!target) throw new TaskDependencyError(`Dependency key "${key}" not found in this batch`, p.id, [p.input.key ?? p.id, `dependency key ${key} not found`]);
      if (target === p) throw new TaskDependencyError(`Task "${key}" cannot depend on itself`, p.id, [key, key]);
      if (target.input.projectId !== p.input.projectId) throw new TaskDependencyError(`Dependency key "${key}" is in another project`, p.id, [p.input.key ?? p.id, key]);
      p.dependsOn.push(target.id);
      target.hasDependents = true;
    }
  }
  // Without dependencyKeys the call has no edges among its own tasks: no cycle to look for.
  if (!inputs.some((i) => i.dependencyKeys.length > 0)) return planned;
  const keyOf = new Map(planned.map((p) => [p.id, p.input.key ?? p.id]));
  const cycles = findCycles(new Map(planned.map((p) => [p.id, p.dependsOn.filter((d) => keyOf.has(d))])), 1);
  if (cycles.length > 0) {
    const chain = cycles[0]!.map((id) => keyOf.get(id)!);
    throw new TaskDependencyError(`Circular dependency: ${[...chain, chain[0]].join(' -> ')}`, cycles[0]![0]!, [...chain, chain[0]!]);
  }
  return planned;
}

/**
 * After commit: wake subscribers, and the sweeper for the earliest runAt still ahead (from the
 * inputs: the returned rows may carry only the selected columns). A task that went PENDING
 * instead costs the sweeper one look that finds nothing.
 */
function afterWrite(deps: SchedulerDeps, calls: CreateCall[]): void {
  deps.afterCommit();
  const now = Date.now();
  let first = Infinity;
  for (const c of calls) for (const p of c.planned) {
    const at = p.input.runAt?.getTime() ?? Infinity;
    if (at > now && at < first) first = at;
  }
  if (first !== Infinity) deps.runAtScheduled?.(new Date(first));
}

/**
 * Projects known to exist, per server (projects are never deleted; the task's foreign key still
 * guards the insert): a group of creates in a known project costs no look-up round trip.
 */
const knownProjects = new WeakMap<SchedulerDeps, Set<string>>();

function knownProjectsOf(deps: SchedulerDeps): Set<string> {
  let known = knownProjects.get(deps);
  if (!known) knownProjects.set(deps, (known = new Set()));
  return known;
}

/** A concurrent create took an idempotency key between our look-up and our insert: start again. */
class IdempotencyRace extends Error {}

const RACE_RETRIES = 5;

/**
 * Writes a group of calls. Calls that name no existing task and whose keyed inputs stand alone
 * (a keyed input in a call of one) write in autocommit: the project look-up, then one insert
 * statement; a keyed input that lost a race returns the winner, and nothing else was written for
 * it. Otherwise one transaction: look-ups with locks, statuses from them, one insert statement,
 * and on a lost idempotency race a rollback and another go (the look-up then sees the winner).
 */
async function writeCalls(deps: SchedulerDeps, calls: CreateCall[]): Promise<Task[][]> {
  const em = calls[0]!.em;
  // Inside a caller's transaction (decomposeTask, a schedule's tick) the caller counts what it
  // created once it has committed; here only writes that are committed on return are counted.
  const nested = Boolean(em.getTransactionContext());
  const counted = (created: Map<string, number>) => {
    if (!nested) for (const [projectId, count] of created) deps.tasksChanged?.({ kind: 'created', projectId, count });
  };
  const autocommit = calls.every((c) => !c.referencesExisting && (c.planned.length === 1 || c.planned.every((p) => p.input.idempotencyKey === null)));
  if (autocommit) {
    const results = await write(em, deps, calls, false);
    if (results.wrote) afterWrite(deps, calls);
    counted(results.created);
    return results.tasks;
  }
  for (let attempt = 0; ; attempt++) {
    try {
      // A request's shared EntityManager cannot run a transaction itself: a fork does.
      const txEm = nested ? em : em.fork();
      const results = await txEm.transactional((tem) => write(tem as EntityManager, deps, calls.map((c) => ({ ...c, em: tem as EntityManager })), true));
      if (results.wrote) afterWrite(deps, calls);
      counted(results.created);
      return results.tasks;
    } catch (e) {
      if (!(e instanceof IdempotencyRace) || attempt >= RACE_RETRIES) throw e;
    }
  }
}

/** `created`: how many tasks were inserted per project (an idempotency key's existing task is not). */
async function write(em: EntityManager, deps: SchedulerDeps, calls: CreateCall[], inTransaction: boolean): Promise<{ tasks: Task[][]; wrote: boolean; created: Map<string, number> }> {
  const all = calls.flatMap((c) => c.planned);
  await requireProjectIds(em, [...new Set(all.map((p) => p.input.projectId))], knownProjectsOf(deps));

  // Rows of tasks that exist already: named dependencies and parents, and idempotency hits.
  const existing = new Map<string, { project_id: string; status: TaskStatus }>();
  const rowsById = new Map<string, Record<string, unknown>>();
  /** Planned id -> the id it stands for (an existing task, or the first of a repeated key). */
  const alias = new Map<string, string>();
  const keyed = all.filter((p) => p.input.idempotencyKey !== null);
  const firstByKey = new Map<string, Planned>();
  for (const p of keyed) {
    const scoped = `${p.input.projectId}|${p.input.idempotencyKey}`;
    const first = firstByKey.get(scoped);
    // Two calls of one group with the same key: both get the one task, as if they had not met.
    if (first) alias.set(p.id, first.id);
    else firstByKey.set(scoped, p);
  }

  if (inTransaction && firstByKey.size) {
    const firsts = [...firstByKey.values()];
    const rows = await sql<Record<string, unknown> & { id: string; project_id: string; idempotency_key: string; status: TaskStatus }>(em, TASKS_BY_IDEMPOTENCY_KEY_SQL, [
      firsts.map((p) => p.input.projectId),
      firsts.map((p) => p.input.idempotencyKey),
    ]);
    for (const row of rows) {
      const p = firstByKey.get(`${row.project_id}|${row.idempotency_key}`)!;
      alias.set(p.id, row.id);
      existing.set(row.id, { project_id: row.project_id, status: row.status });
      rowsById.set(row.id, row);
    }
  }

  const idOf = (id: string): string => {
    const first = alias.get(id);
    return first === undefined ? id : (alias.get(first) ?? first);
  };
  const toInsert = all.filter((p) => !alias.has(p.id));
  const byId = new Map(toInsert.map((p) => [p.id, p]));

  if (inTransaction) {
    // Existing tasks the new ones will depend on: named by id, or idempotency hits named by key.
    const gaining = [...new Set(toInsert.flatMap((p) => p.dependsOn.map(idOf)).filter((id) => !byId.has(id)))];
    // Locks, each statement in id order: first the rows whose effective priority takes the +1
    // (exclusive), then every row whose status the new tasks' statuses are decided from, and
    // the parents (shared). Never a shared lock upgraded later: see GAIN_DEPENDENTS_SQL.
    if (gaining.length) await sql(em, GAIN_DEPENDENTS_SQL, [gaining]);
    const locked = [...new Set([...gaining, ...all.flatMap((p) => [...p.input.dependencies, ...(p.input.parentTaskId ? [p.input.parentTaskId] : [])])])];
    if (locked.length) {
      const hits = new Set(rowsById.keys());
      const rows = await sql<{ id: string; project_id: string; status: TaskStatus }>(em, LOCK_REFERENCED_TASKS_SQL, [locked]);
      const found = new Set<string>();
      for (const r of rows) {
        found.add(r.id);
        existing.set(r.id, r);
        // A hit read before its lock: what is returned is what the new tasks' statuses saw.
        if (hits.has(r.id)) rowsById.get(r.id)!.status = r.status;
      }
      // A hit pruned between its look-up and its lock: start again (the look-up misses it then).
      if (gaining.some((id) => hits.has(id) && !found.has(id))) throw new IdempotencyRace();
    }
    checkReferences(all, existing);
  }

  // Statuses in dependency order, so a task behind a BLOCKED task of its call is BLOCKED too.
  const now = deps.now();
  const statusOf = new Map<string, TaskStatus>([...existing].map(([id, r]) => [id, r.status]));
  // Most groups have no edges among their tasks (no dependencyKeys): any order will do.
  const order = !toInsert.some((p) => p.input.dependencyKeys.length > 0)
    ? [...byId.keys()]
    : topologicalLevels(
        [...byId.keys()],
        new Map(toInsert.map((p) => [p.id, p.dependsOn.map(idOf).filter((d) => byId.has(d))])),
      ).levels.flat();
  for (const id of order) {
    const p = byId.get(id)!;
    statusOf.set(id, statusAtCreation(p.dependsOn.map((d) => statusOf.get(idOf(d))!), p.input.runAt, now));
  }

  const statement = calls[0]!.statement;
  const rows = toInsert.length ? await preparedSql<Record<string, unknown> & { id: string }>(em, statement.name, statement.text, insertBindings(toInsert, statusOf, idOf, now)) : [];
  if (rows.length < toInsert.length) {
    if (inTransaction) throw new IdempotencyRace();
    // Autocommit: every skipped row is a lone keyed input whose key a concurrent create took;
    // nothing was written for it (its call has no other input). Return the winner.
    const inserted = new Set(rows.map((r) => r.id));
    const lost = toInsert.filter((p) => !inserted.has(p.id));
    const winners = await sql<Record<string, unknown> & { id: string; project_id: string; idempotency_key: string }>(em, TASKS_BY_IDEMPOTENCY_KEY_SQL, [
      lost.map((p) => p.input.projectId),
      lost.map((p) => p.input.idempotencyKey),
    ]);
    for (const row of winners) {
      alias.set(firstByKey.get(`${row.project_id}|${row.idempotency_key}`)!.id, row.id);
      rowsById.set(row.id, row);
    }
    if (winners.length < lost.length) throw new Error('an idempotent create lost a race but the winning task is not visible');
  }
  for (const row of rows) rowsById.set(row.id, row);

  const tasks = calls.map((c) =>
    c.planned.map((p) => {
      const id = idOf(p.id);
      const [task] = toTasks([rowsById.get(id)!]);
      // The estimate made just now, so a client that reads it costs no second query.
      if (id === p.id) task!.complexity = p.complexity;
      return task!;
    }),
  );
  const created = new Map<string, number>();
  if (rows.length > 0) {
    const inserted = new Set(rows.map((r) => r.id));
    for (const p of toInsert) if (inserted.has(p.id)) created.set(p.input.projectId, (created.get(p.input.projectId) ?? 0) + 1);
  }
  return { tasks, wrote: rows.length > 0, created };
}

function checkReferences(all: Planned[], existing: Map<string, { project_id: string; status: TaskStatus }>): void {
  for (const p of all) {
    for (const dep of p.input.dependencies) {
      const row = existing.get(dep);
      if (!row) throw new TaskDependencyError(`Dependency ${dep} not found`, p.id, [p.id, `dependency ${dep} not found`]);
      if (row.project_id !== p.input.projectId) {
        throw new TaskDependencyError(`Dependency ${dep} belongs to another project`, p.id, [p.id, `dependency ${dep} is in project ${row.project_id}`]);
      }
    }
    const parent = p.input.parentTaskId;
    if (parent && existing.get(parent)?.project_id !== p.input.projectId) {
      throw new BadInputError(`parentTaskId ${parent} is not a task of project ${p.input.projectId}`, { field: 'parentTaskId' });
    }
  }
}

/** `{a,b,NULL}`: only for values with no character an array literal treats specially (see insertBindings). */
function arrayLiteral(values: readonly (string | number | null)[]): string {
  let out = '{';
  for (let k = 0; k < values.length; k++) {
    const v = values[k];
    out += (k ? ',' : '') + (v === null || v === undefined ? 'NULL' : String(v));
  }
  return out + '}';
}

/** The parallel arrays of INSERT_TASKS_SQL, in its order. */
function insertBindings(toInsert: Planned[], statusOf: Map<string, TaskStatus>, idOf: (id: string) => string, now: Date): unknown[] {
  const n = toInsert.length;
  const cols: unknown[][] = Array.from({ length: 20 }, () => new Array(n));
  /** Row numbers (1-based) of the tasks inserted here: edges among them go as pairs of numbers. */
  const rowOf = new Map<string, number>();
  toInsert.forEach((p, k) => rowOf.set(p.id, k + 1));
  const innerFrom: number[] = [];
  const innerTo: number[] = [];
  const outerFrom: number[] = [];
  const outerTo: string[] = [];
  toInsert.forEach((p, k) => {
    const i = p.input;
    const deadline = deadlineOf(i.metadata);
    const status = statusOf.get(p.id)!;
    const metadata = status === 'BLOCKED' ? { ...i.metadata, reason: 'a dependency failed or was cancelled' } : i.metadata;
    const dependsOn = p.dependsOn.map(idOf);
    for (const d of dependsOn) {
      const row = rowOf.get(d);
      if (row === undefined) {
        outerFrom.push(k + 1);
        outerTo.push(d);
      } else {
        innerFrom.push(k + 1);
        innerTo.push(row);
      }
    }
    cols[0]![k] = p.id;
    cols[1]![k] = i.projectId;
    cols[2]![k] = i.title;
    cols[3]![k] = i.description;
    cols[4]![k] = i.priority;
    cols[5]![k] = effectivePriority({ priority: i.priority, deadline, hasDependents: p.hasDependents, now });
    cols[6]![k] = status;
    cols[7]![k] = dependsOn.filter((d) => statusOf.get(d) !== 'COMPLETED').length;
    cols[8]![k] = i.context;
    cols[9]![k] = metadata;
    cols[10]![k] = i.maxRetries;
    cols[11]![k] = i.assignedTo;
    cols[12]![k] = i.parentTaskId;
    cols[13]![k] = deadline?.toISOString() ?? null;
    cols[14]![k] = i.retryPolicy;
    cols[15]![k] = p.complexity;
    cols[16]![k] = i.runAt?.toISOString() ?? null;
    cols[17]![k] = i.timeoutSeconds;
    cols[18]![k] = i.idempotencyKey;
    cols[19]![k] = i.concurrencyKey;
  });
  // JSON columns go as one JSON array each (jsonb_array_elements): one native stringify.
  for (const j of [8, 9, 14, 15]) cols[j] = JSON.stringify(cols[j]) as unknown as unknown[];
  // Columns whose values cannot hold an array literal's special characters (ids made or checked
  // as UUIDs, whole numbers, statuses, ISO timestamps) go as ready-made literals: the driver's
  // per-element quoting and escaping of 1,000-element arrays was a visible share of a createTasks.
  for (const j of [0, 1, 4, 5, 6, 7, 10, 12, 13, 16, 17]) cols[j] = arrayLiteral(cols[j] as (string | number | null)[]) as unknown as unknown[];
  const stamp = now.toISOString();
  return [...cols, stamp, stamp, arrayLiteral(innerFrom), arrayLiteral(innerTo), arrayLiteral(outerFrom), outerTo];
}
