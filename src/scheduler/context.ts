import type { EntityManager } from '@mikro-orm/postgresql';
import type { ComplexityWeights } from '../domain/complexity';
import type { CoalescerOptions } from './coalescer';
import type { ProgressEventPayload } from '../events/progress-channel';

/** What every use case needs besides its EntityManager. */
export interface SchedulerDeps {
  /** The clock (injected so rules are testable; the database's now() stamps rows). */
  now: () => Date;
  defaultLeaseSeconds: number;
  maxLeaseSeconds: number;
  complexityWeights?: ComplexityWeights;
  /** Called after every commit that wrote events: wakes subscribers (never inside the transaction). */
  afterCommit: () => void;
  /** Called after commit when a task was set to retry at `at` (the sweeper makes it READY then). */
  retryScheduled?: (at: Date) => void;
  /**
   * Called after commit when something falls due at `at`: a task SCHEDULED until its runAt, a
   * schedule's next tick. The server wakes its sweeper then (it sleeps until the next due time
   * it knows of, so without this a new earlier time would wait for the next regular sweep).
   */
  runAtScheduled?: (at: Date) => void;
  /**
   * Called after commits that may have set a due time without knowing it: a completion whose
   * dependent goes SCHEDULED until its runAt, an unblocking. The sweeper then looks up its next
   * due time (once per 50 ms at most).
   */
  dueTimesChanged?: () => void;
  /**
   * Called after a claim committed, with the earliest timeout deadline of the attempts it started
   * (null when none has `timeoutSeconds`) and the earliest lease expiry, on this process's clock.
   * The sweeper wakes then, so a timeout or lease shorter than the sweep interval ends on time.
   */
  attemptsStarted?: (timeoutAt: Date | null, leaseExpiresAt: Date) => void;
  /** Called after a progress report was stored (the progress channel coalesces and fans out). */
  progressReported?: (event: ProgressEventPayload) => void;
  /**
   * Called after commit with task changes a use case made that what it returns does not show
   * (tasks created by a schedule, dependents cancelled by a cascade, attempts the sweeper
   * ended, a retry by hand): the metrics count them (InstrumentedScheduler).
   */
  tasksChanged?: (change: TaskChange) => void;
}

/** `count` tasks of one project had this happen to them (see SchedulerDeps.tasksChanged). */
export interface TaskChange {
  kind: 'created' | 'cancelled' | 'retried' | 'failed';
  projectId: string;
  count: number;
  /** For attempts ended without their worker (retried or failed): why they ended. */
  cause?: 'lease_expired' | 'timeout';
}

/**
 * Group commit limits for claims and completions (coalescer.ts): per queue, one statement at a
 * time serving up to 50 calls; one still running after 20 ms lets the calls behind it go out in
 * another, up to 4 at once. One in flight gave the largest batches and the best W1 rate (bench,
 * graphql-ws: 1 in flight 1.00x raw SQL and 0.79 statements per task; 3 in flight 0.91x and 1.1);
 * a lone call still starts at once.
 */
export const COALESCING: CoalescerOptions = { maxBatch: 50, maxInFlight: 1, stallMs: 20, maxRunning: 4 };

/**
 * For use cases that return tasks on hot paths: the Task fields the caller will read (all when
 * absent). Their statements then return only those columns (columnsForTaskFields).
 */
export interface ReturnedFields {
  fields?: Iterable<string>;
}

/**
 * One transaction per use case. Events are rows written inside it; the wake-up is sent only
 * after commit, so a rolled-back change is never announced.
 */
export async function inTransaction<T>(em: EntityManager, deps: SchedulerDeps, work: (tem: EntityManager) => Promise<T>): Promise<T> {
  const result = await em.transactional((tem) => work(tem as EntityManager));
  deps.afterCommit();
  return result;
}
