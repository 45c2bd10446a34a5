import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import type { TaskStatus } from '../../domain/task-status';
import type { RetryPolicy } from '../../domain/retry-policy';
import type { ComplexityEstimate } from '../../domain/complexity';

/**
 * A task row. Foreign keys are plain scalar columns (projectId, parentTaskId): the hot paths
 * are explained SQL (src/persistence/sql) and the GraphQL layer batches relations itself.
 * Dependencies live in the task_dependency edge table (indexed both ways). The `seq` column
 * (creation order) is database-generated and only used by explained SQL, so it is not mapped.
 */
@Entity({ tableName: 'task' })
export class Task {
  [OptionalProps]?:
    | 'id'
    | 'description'
    | 'priority'
    | 'effectivePriority'
    | 'waitingOn'
    | 'status'
    | 'context'
    | 'result'
    | 'metadata'
    | 'retryCount'
    | 'maxRetries'
    | 'assignedTo'
    | 'parentTaskId'
    | 'workerId'
    | 'leaseExpiresAt'
    | 'availableAt'
    | 'deadlineAt'
    | 'retryPolicy'
    | 'complexity'
    | 'createdAt'
    | 'updatedAt'
    | 'startedAt'
    | 'completedAt'
    | 'attempt'
    | 'runAt'
    | 'timeoutSeconds'
    | 'idempotencyKey'
    | 'concurrencyKey'
    | 'progress'
    | 'claimedByTokenId';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  projectId!: string;

  @Property({ type: 'text' })
  title!: string;

  @Property({ type: 'text', nullable: true })
  description: string | null = null;

  @Property({ type: 'smallint' })
  priority: number = 5;

  /** Derived: priority + deadline and blocking-others boosts; the claim orders by it. */
  @Property({ type: 'smallint' })
  effectivePriority: number = 5;

  @Property({ type: 'text' })
  status: TaskStatus = 'PENDING';

  /** How many dependencies are not COMPLETED yet (see the waiting_on migration). */
  @Property({ type: 'integer' })
  waitingOn: number = 0;

  @Property({ type: 'json' })
  context: Record<string, unknown> = {};

  @Property({ type: 'json', nullable: true })
  result: unknown = null;

  @Property({ type: 'json' })
  metadata: Record<string, unknown> = {};

  @Property({ type: 'integer' })
  retryCount: number = 0;

  @Property({ type: 'integer' })
  maxRetries: number = 3;

  @Property({ type: 'text', nullable: true })
  assignedTo: string | null = null;

  @Property({ type: 'uuid', nullable: true })
  parentTaskId: string | null = null;

  @Property({ type: 'text', nullable: true })
  workerId: string | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  leaseExpiresAt: Date | null = null;

  /** When a RETRYING task becomes claimable (mirrors metadata.retryAt as a typed, indexed column). */
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  availableAt: Date | null = null;

  /** metadata.deadline as a typed column, for the effective-priority rule. */
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  deadlineAt: Date | null = null;

  @Property({ type: 'json', nullable: true })
  retryPolicy: Partial<RetryPolicy> | null = null;

  /** json, not jsonb: written once, read whole (Migration20261205000000_complexity_json). */
  @Property({ type: 'json', columnType: 'json', nullable: true })
  complexity: ComplexityEstimate | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  startedAt: Date | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  completedAt: Date | null = null;

  /** 0 until the first claim, +1 at every claim: the fencing token of the current attempt. */
  @Property({ type: 'integer' })
  attempt: number = 0;

  /** Not before this time: a task whose dependencies are done waits as SCHEDULED until then. */
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  runAt: Date | null = null;

  /** An attempt still running this long after its claim is ended like an expired lease. */
  @Property({ type: 'integer', nullable: true })
  timeoutSeconds: number | null = null;

  /** Unique per project (a constraint): a create with a known key returns the existing task. */
  @Property({ type: 'text', nullable: true })
  idempotencyKey: string | null = null;

  /** Tasks sharing a key count against its concurrency limit. */
  @Property({ type: 'text', nullable: true })
  concurrencyKey: string | null = null;

  /** The running attempt's last progress report. */
  @Property({ type: 'json', nullable: true })
  progress: TaskProgress | null = null;

  /** The API token the current/last claim was made with (src/auth "own leases only"); not an API field. */
  @Property({ type: 'uuid', nullable: true })
  claimedByTokenId: string | null = null;
}

/** A progress report as stored (`at` is an ISO time). */
export interface TaskProgress {
  percent: number;
  message: string | null;
  at: string;
}
