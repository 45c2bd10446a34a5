import type { EntityManager } from '@mikro-orm/postgresql';
import { BadInputError } from '../domain/errors';
import { assertId, assertLeaseSeconds, assertText, LIMITS } from '../domain/task-input';
import { Task } from '../persistence/entities/task.entity';
import { preparedSql } from '../persistence/sql/run';
import { heartbeatStatement } from '../persistence/sql/heartbeat.sql';
import { columnsForTaskFields, toTasks } from '../persistence/sql/task-rows';
import { ReturnedFields, SchedulerDeps } from './context';
import { assertAttempt, explainLeaseRefusal } from './lease-refusal';
import type { LeaseGuard } from '../auth/principal';

export interface HeartbeatArgs {
  id: string;
  workerId: string;
  attempt?: number | null;
  leaseSeconds?: number | null;
}

function bindings(deps: SchedulerDeps, inputs: readonly HeartbeatArgs[], guard: LeaseGuard | null) {
  const items = inputs.map((i) => ({
    id: assertId(i.id, 'id'),
    workerId: assertText(i.workerId, 'workerId', LIMITS.workerIdLength),
    attempt: assertAttempt(i.attempt),
    lease: assertLeaseSeconds(i.leaseSeconds ?? deps.defaultLeaseSeconds, deps.maxLeaseSeconds),
    guard,
  }));
  const values = [items.map((i) => i.id), items.map((i) => i.workerId), items.map((i) => i.attempt), items.map((i) => i.lease), items.map(() => guard?.tokenId ?? null)];
  return { items, values };
}

/**
 * Extends the lease, guarded by holder, status, attempt and (a WORKER token) the claiming token:
 * a worker that lost the task is told so.
 */
export async function heartbeatTask(
  em: EntityManager,
  deps: SchedulerDeps,
  args: HeartbeatArgs & ReturnedFields & { guard?: LeaseGuard | null },
): Promise<Task> {
  const { items, values } = bindings(deps, [args], args.guard ?? null);
  const statement = heartbeatStatement(columnsForTaskFields(args.fields));
  const rows = await preparedSql(em, statement.name, statement.text, values);
  if (rows.length === 0) throw await explainLeaseRefusal(em, items[0]!, null);
  return toTasks(rows)[0]!;
}

/**
 * heartbeatTasks: renews many leases in one statement (a worker's heartbeat for everything it
 * holds). Returns the tasks whose lease was renewed; a lease that was lost (expired and
 * re-claimed, cancelled, completed elsewhere, a stale attempt, claimed with another WORKER token)
 * is simply absent from the list and nothing about it changed. So one call tells the worker which
 * of its tasks to abort, without failing the renewal of the others.
 */
export async function heartbeatTasks(
  em: EntityManager,
  deps: SchedulerDeps,
  inputs: HeartbeatArgs[],
  returned: ReturnedFields = {},
  guard: LeaseGuard | null = null,
): Promise<Task[]> {
  if (inputs.length === 0) return [];
  if (inputs.length > LIMITS.batchSize) throw new BadInputError(`at most ${LIMITS.batchSize} heartbeats per call`);
  const { items, values } = bindings(deps, inputs, guard);
  if (new Set(items.map((i) => i.id)).size !== items.length) throw new BadInputError('the same task id appears twice in heartbeatTasks');
  const statement = heartbeatStatement(columnsForTaskFields(returned.fields));
  const rows = await preparedSql(em, statement.name, statement.text, values);
  const byId = new Map(toTasks(rows).map((t) => [t.id, t]));
  return items.flatMap((i) => byId.get(i.id) ?? []);
}
