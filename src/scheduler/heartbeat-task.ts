import type { EntityManager } from '@mikro-orm/postgresql';
import { LeaseNotHeldError, TaskNotFoundError } from '../domain/errors';
import { assertId, assertLeaseSeconds } from '../domain/task-input';
import { Task } from '../persistence/entities/task.entity';
import { preparedSql, sql } from '../persistence/sql/run';
import { statementVariant } from '../persistence/sql/statement-variants';
import { columnsForTaskFields, taskColumns, toTasks } from '../persistence/sql/task-rows';
import { SchedulerDeps } from './context';

/** Extends the lease, guarded by holder and status: a worker that lost the task is told so. */
export async function heartbeatTask(
  em: EntityManager,
  deps: SchedulerDeps,
  args: { id: string; workerId: string; leaseSeconds?: number | null; fields?: Iterable<string> },
): Promise<Task> {
  const id = assertId(args.id, 'id');
  const lease = assertLeaseSeconds(args.leaseSeconds ?? deps.defaultLeaseSeconds, deps.maxLeaseSeconds);
  // Workers heartbeat often: a prepared statement per returned column set, like claim and complete.
  const statement = statementVariant('heartbeat', columnsForTaskFields(args.fields), (columns) =>
    `update task set lease_expires_at = now() + make_interval(secs => ?), updated_at = now()
      where id = ? and status = 'RUNNING' and worker_id = ? returning ${taskColumns(undefined, columns)}`,
  );
  const rows = await preparedSql(em, statement.name, statement.text, [lease, id, args.workerId]);
  if (rows.length === 0) {
    const [row] = await sql<{ status: string }>(em, 'select status from task where id = ?', [id]);
    if (!row) throw new TaskNotFoundError(id);
    const error = new LeaseNotHeldError(id, args.workerId);
    Object.assign(error.extensions, { status: row.status });
    throw error;
  }
  return toTasks(rows)[0]!;
}
