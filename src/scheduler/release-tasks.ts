import type { EntityManager } from '@mikro-orm/postgresql';
import { BadInputError } from '../domain/errors';
import { assertId, assertText, LIMITS } from '../domain/task-input';
import { Task } from '../persistence/entities/task.entity';
import { preparedSql } from '../persistence/sql/run';
import { releaseStatement } from '../persistence/sql/release.sql';
import { columnsForTaskFields, toTasks } from '../persistence/sql/task-rows';
import { ReturnedFields, SchedulerDeps } from './context';
import { assertAttempt, explainLeaseRefusal } from './lease-refusal';
import type { LeaseGuard } from '../auth/principal';

export interface ReleaseArgs {
  id: string;
  workerId: string;
  attempt?: number | null;
}

function bindings(inputs: readonly ReleaseArgs[], guard: LeaseGuard | null) {
  const items = inputs.map((i) => ({
    id: assertId(i.id, 'id'),
    workerId: assertText(i.workerId, 'workerId', LIMITS.workerIdLength),
    attempt: assertAttempt(i.attempt),
    guard,
  }));
  return { items, values: [items.map((i) => i.id), items.map((i) => i.workerId), items.map((i) => i.attempt), items.map(() => guard?.tokenId ?? null)] };
}

async function run(em: EntityManager, deps: SchedulerDeps, values: unknown[], returned: ReturnedFields): Promise<Task[]> {
  const statement = releaseStatement(columnsForTaskFields(returned.fields));
  // One statement (release.sql.ts) in autocommit: the event row is written with the change.
  const rows = await preparedSql(em, statement.name, statement.text, values);
  if (rows.length > 0) deps.afterCommit();
  return toTasks(rows);
}

/**
 * releaseTask: RUNNING -> READY at once, no retry charged; refused unless the caller holds this
 * attempt (and, for a WORKER token, claimed it with this token).
 */
export async function releaseTask(em: EntityManager, deps: SchedulerDeps, args: ReleaseArgs & ReturnedFields & { guard?: LeaseGuard | null }): Promise<Task> {
  const { items, values } = bindings([args], args.guard ?? null);
  const [task] = await run(em, deps, values, args);
  if (!task) throw await explainLeaseRefusal(em, items[0]!, 'READY');
  return task;
}

/**
 * releaseTasks: hands many leases back in one statement (a worker shutting down). Returns the
 * tasks released; one whose lease the caller no longer holds is absent and unchanged (there is
 * nothing left to hand back), so a shutdown never fails because one lease had already expired.
 */
export async function releaseTasks(
  em: EntityManager,
  deps: SchedulerDeps,
  inputs: ReleaseArgs[],
  returned: ReturnedFields = {},
  guard: LeaseGuard | null = null,
): Promise<Task[]> {
  if (inputs.length === 0) return [];
  if (inputs.length > LIMITS.batchSize) throw new BadInputError(`at most ${LIMITS.batchSize} releases per call`);
  const { items, values } = bindings(inputs, guard);
  if (new Set(items.map((i) => i.id)).size !== items.length) throw new BadInputError('the same task id appears twice in releaseTasks');
  const tasks = await run(em, deps, values, returned);
  const byId = new Map(tasks.map((t) => [t.id, t]));
  return items.flatMap((i) => byId.get(i.id) ?? []);
}
