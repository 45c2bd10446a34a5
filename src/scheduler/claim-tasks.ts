import type { EntityManager } from '@mikro-orm/postgresql';
import { BadInputError } from '../domain/errors';
import { assertId, assertLeaseSeconds, assertText, LIMITS } from '../domain/task-input';
import { Task } from '../persistence/entities/task.entity';
import { claimSql } from '../persistence/sql/claim.sql';
import { sql } from '../persistence/sql/run';
import { toTasks } from '../persistence/sql/task-rows';
import { inTransaction, SchedulerDeps } from './context';

export interface ClaimArgs {
  projectId: string;
  workerId: string;
  assignedTo?: string | null;
  leaseSeconds?: number | null;
  limit?: number;
}

/** claimNextTask / claimTasks: see src/persistence/sql/claim.sql.ts for the strategy. */
export async function claimTasks(em: EntityManager, deps: SchedulerDeps, args: ClaimArgs): Promise<Task[]> {
  const projectId = assertId(args.projectId, 'projectId');
  const workerId = assertText(args.workerId, 'workerId', LIMITS.workerIdLength);
  const lease = assertLeaseSeconds(args.leaseSeconds ?? deps.defaultLeaseSeconds, deps.maxLeaseSeconds);
  const limit = args.limit ?? 1;
  if (!Number.isInteger(limit) || limit < 1 || limit > LIMITS.batchSize) {
    throw new BadInputError(`limit must be a whole number from 1 to ${LIMITS.batchSize}, got ${limit}`, { field: 'limit' });
  }
  const assignedTo = args.assignedTo ?? null;
  const bindings = assignedTo === null ? [projectId, limit, workerId, lease] : [projectId, assignedTo, limit, workerId, lease];
  const rows = await inTransaction(em, deps, (tem) => sql(tem, claimSql(assignedTo !== null), bindings));
  return toTasks(em, rows);
}
