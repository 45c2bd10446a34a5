import type { EntityManager } from '@mikro-orm/postgresql';
import { BadInputError } from '../domain/errors';
import { assertId, assertLeaseSeconds, assertText, LIMITS } from '../domain/task-input';
import { Task } from '../persistence/entities/task.entity';
import { claimBindings, claimStatement } from '../persistence/sql/claim.sql';
import { preparedSql } from '../persistence/sql/run';
import { StatementVariant } from '../persistence/sql/statement-variants';
import { columnsForTaskFields, toTasks } from '../persistence/sql/task-rows';
import { Coalescer } from './coalescer';
import { COALESCING, ReturnedFields, SchedulerDeps } from './context';

export interface ClaimArgs extends ReturnedFields {
  projectId: string;
  workerId: string;
  assignedTo?: string | null;
  leaseSeconds?: number | null;
  limit?: number;
  /** The caller's token id when it is stored (src/auth): recorded as the lease's owner. */
  tokenId?: string | null;
}

/** One caller's claim, as the coalescer batches it with others on the same queue. */
interface ClaimRequest {
  em: EntityManager;
  statement: StatementVariant;
  projectId: string;
  assignedTo: string | null;
  workerId: string;
  lease: number;
  limit: number;
  tokenId: string | null;
}

/** `retry`: the claim got nothing but claimable rows were locked by someone else for a moment. */
interface ClaimResult {
  tasks: Task[];
  retry: boolean;
}

export type ClaimCoalescer = Coalescer<ClaimRequest, ClaimResult>;

export function claimCoalescer(deps: SchedulerDeps): ClaimCoalescer {
  return new Coalescer((requests) => runClaims(deps, requests), COALESCING);
}

/** claimNextTask / claimTasks: see src/persistence/sql/claim.sql.ts for the strategy. */
export async function claimTasks(em: EntityManager, deps: SchedulerDeps, args: ClaimArgs, coalescer: ClaimCoalescer): Promise<Task[]> {
  const projectId = assertId(args.projectId, 'projectId');
  const workerId = assertText(args.workerId, 'workerId', LIMITS.workerIdLength);
  const lease = assertLeaseSeconds(args.leaseSeconds ?? deps.defaultLeaseSeconds, deps.maxLeaseSeconds);
  const limit = args.limit ?? 1;
  if (!Number.isInteger(limit) || limit < 1 || limit > LIMITS.batchSize) {
    throw new BadInputError(`limit must be a whole number from 1 to ${LIMITS.batchSize}, got ${limit}`, { field: 'limit' });
  }
  const assignedTo = args.assignedTo ?? null;
  const request: ClaimRequest = { em, statement: claimStatement(assignedTo !== null, columnsForTaskFields(args.fields)), projectId, assignedTo, workerId, lease, limit, tokenId: args.tokenId ?? null };
  // Claims on one queue (project, assignee, returned columns) share a statement; inside a
  // caller's transaction the claim must run on that transaction, alone.
  const key = `${projectId}|${assignedTo ?? ''}|${request.statement.name}`;
  const claim = () => (em.getTransactionContext() ? coalescer.alone(request) : coalescer.submit(key, request));
  for (let attempt = 0; ; attempt++) {
    const { tasks, retry } = await claim();
    if (tasks.length > 0) return tasks;
    // SKIP LOCKED also skips a row that is only locked for a moment (the sweeper promoting a due
    // retry, a dependency being added, another instance's claim): the statement itself looked
    // whether claimable rows remain (claim.sql.ts) before this says "empty".
    if (!retry || attempt >= CLAIM_RETRIES) return [];
    await new Promise((resolve) => setTimeout(resolve, 2 ** attempt * 2));
  }
}

const CLAIM_RETRIES = 3;

/**
 * One statement for any number of claims on the same queue (one autocommit round trip): each
 * request brings `limit` slots, and rows come back tagged with the slot they fill.
 */
async function runClaims(deps: SchedulerDeps, requests: ClaimRequest[]): Promise<ClaimResult[]> {
  const first = requests[0]!;
  const workers: string[] = [];
  const leases: number[] = [];
  const owners: number[] = [];
  const tokens: (string | null)[] = [];
  requests.forEach((r, i) => {
    for (let k = 0; k < r.limit; k++) {
      workers.push(r.workerId);
      leases.push(r.lease);
      tokens.push(r.tokenId);
      owners.push(i);
    }
  });
  const rows = await preparedSql<Record<string, unknown>>(first.em, first.statement.name, first.statement.text, claimBindings({ workers, leases, tokens }, first.projectId, first.assignedTo));
  const claimed: Record<string, unknown>[][] = requests.map(() => []);
  let timeoutSeconds = Infinity;
  let leaseSeconds = Infinity;
  let retry = false;
  for (const row of rows) {
    const slot = Number(row.claim_slot);
    if (slot === 0) {
      retry = true;
      continue;
    }
    const owner = owners[slot - 1]!;
    claimed[owner]!.push(row);
    if (row.claim_timeout_seconds !== null) timeoutSeconds = Math.min(timeoutSeconds, Number(row.claim_timeout_seconds));
    leaseSeconds = Math.min(leaseSeconds, requests[owner]!.lease);
  }
  if (rows.length > (retry ? 1 : 0)) {
    deps.afterCommit();
    // Timer time, not domain time (deps.now): when the sweeper should wake. The attempts started
    // at the statement's now(), a little before this, so it may wake a little late, never early.
    const now = Date.now();
    deps.attemptsStarted?.(timeoutSeconds === Infinity ? null : new Date(now + timeoutSeconds * 1000), new Date(now + leaseSeconds * 1000));
  }
  return claimed.map((c) => ({ tasks: toTasks(c), retry }));
}
