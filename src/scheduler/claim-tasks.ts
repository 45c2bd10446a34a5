import type { EntityManager } from '@mikro-orm/postgresql';
import { BadInputError } from '../domain/errors';
import { assertId, assertLeaseSeconds, assertText, LIMITS } from '../domain/task-input';
import { Task } from '../persistence/entities/task.entity';
import { claimableExistsSql, claimStatement } from '../persistence/sql/claim.sql';
import { preparedSql, sql } from '../persistence/sql/run';
import { columnsForTaskFields, toTasks } from '../persistence/sql/task-rows';
import { ReturnedFields, SchedulerDeps } from './context';

export interface ClaimArgs extends ReturnedFields {
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
  const statement = claimStatement(assignedTo !== null, columnsForTaskFields(args.fields));
  // One statement, so it runs in autocommit: no BEGIN/COMMIT round trips on the hottest path.
  for (let attempt = 0; ; attempt++) {
    const rows = await preparedSql(em, statement.name, statement.text, bindings);
    if (rows.length > 0) {
      deps.afterCommit();
      return toTasks(rows);
    }
    // SKIP LOCKED also skips a row that is only locked for a moment (the sweeper promoting a due
    // retry, a dependency being added): look whether claimable rows exist before saying "empty".
    if (attempt >= CLAIM_RETRIES) return [];
    const [{ found }] = await sql<{ found: boolean }>(em, claimableExistsSql(assignedTo !== null), bindings.slice(0, assignedTo === null ? 1 : 2));
    if (!found) return [];
    await new Promise((resolve) => setTimeout(resolve, 2 ** attempt * 2));
  }
}

const CLAIM_RETRIES = 3;
