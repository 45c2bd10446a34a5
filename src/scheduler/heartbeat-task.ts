import type { EntityManager } from '@mikro-orm/postgresql';
import { LeaseNotHeldError, TaskNotFoundError } from '../domain/errors';
import { assertId, assertLeaseSeconds } from '../domain/task-input';
import { Task } from '../persistence/entities/task.entity';
import { preparedSql, sql } from '../persistence/sql/run';
import { heartbeatStatement } from '../persistence/sql/heartbeat.sql';
import { columnsForTaskFields, toTasks } from '../persistence/sql/task-rows';
import { ReturnedFields, SchedulerDeps } from './context';
import type { LeaseGuard } from '../auth/principal';

/** Extends the lease, guarded by holder and status: a worker that lost the task is told so. */
export async function heartbeatTask(
  em: EntityManager,
  deps: SchedulerDeps,
  args: { id: string; workerId: string; leaseSeconds?: number | null; guard?: LeaseGuard | null } & ReturnedFields,
): Promise<Task> {
  const id = assertId(args.id, 'id');
  const lease = assertLeaseSeconds(args.leaseSeconds ?? deps.defaultLeaseSeconds, deps.maxLeaseSeconds);
  const statement = heartbeatStatement(columnsForTaskFields(args.fields));
  const token = args.guard?.tokenId ?? null;
  const rows = await preparedSql(em, statement.name, statement.text, [lease, id, args.workerId, token, token]);
  if (rows.length === 0) {
    const [row] = await sql<{ status: string; project_id: string }>(em, 'select status, project_id::text from task where id = ?', [id]);
    if (!row || (args.guard?.projectId && row.project_id !== args.guard.projectId)) throw new TaskNotFoundError(id);
    const error = new LeaseNotHeldError(id, args.workerId);
    Object.assign(error.extensions, { status: row.status });
    throw error;
  }
  return toTasks(rows)[0]!;
}
