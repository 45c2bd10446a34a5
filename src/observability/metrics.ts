import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Every metric this server exports, named in one place (README "Metrics" lists them with their
 * labels). One registry per server, so several servers in one process (tests) do not share
 * counters.
 *
 * Cardinality is bounded by construction: labels are project ids (as many as projects), task
 * statuses, outcomes, operation types, refusal reasons, and GraphQL operation names, of which at
 * most OPERATION_NAME_LIMIT distinct ones are kept (later names are counted as `other`). No task
 * id, worker id or error message is ever a label.
 */
export const OPERATION_NAME_LIMIT = 200;

export type RefusalReason = 'parse' | 'validation' | 'depth' | 'aliases' | 'tokens' | 'complexity' | 'batch_size' | 'rate_limit' | 'forbidden' | 'other';
export type AuthFailureReason = 'missing' | 'malformed' | 'invalid' | 'expired' | 'revoked' | 'forbidden' | 'rate_limited';

export class Metrics {
  readonly registry = new Registry();

  // Task lifecycle counters, per instance (sum over instances in Prometheus). Each counts every
  // way its change can happen (README "Metrics" lists them); the service reports those its
  // return values do not show through SchedulerDeps.tasksChanged (instrumented-scheduler.ts).
  readonly tasksCreated = this.counter('tq_tasks_created_total', 'Tasks created: createTask(s), decomposeTask, schedule ticks and triggers (an idempotent repeat creates nothing)', ['project']);
  readonly tasksClaimed = this.counter('tq_tasks_claimed_total', 'Tasks claimed (each claim starts an attempt)', ['project']);
  readonly tasksCompleted = this.counter('tq_tasks_completed_total', 'Tasks completed', ['project']);
  readonly tasksFailed = this.counter('tq_tasks_failed_total', 'Tasks that became FAILED: failTask with no retry left, timeouts and expired leases with no retry left', ['project']);
  readonly tasksRetried = this.counter(
    'tq_tasks_retried_total',
    'Tasks set to retry: attempts ended with a retry left (failTask, timeout, expired lease), and FAILED tasks retried by hand (retryTask, retryTasks)',
    ['project'],
  );
  readonly tasksCancelled = this.counter('tq_tasks_cancelled_total', 'Tasks cancelled (cancelTask, cancelTasks), dependents cancelled by a cascade included', ['project']);
  readonly tasksReleased = this.counter('tq_tasks_released_total', 'Running tasks handed back by their worker (releaseTask(s)): READY again, no attempt charged', ['project']);
  readonly leasesExpired = this.counter('tq_task_leases_expired_total', 'Attempts ended because their lease expired (holder stopped heartbeating), by what became of the task', ['project', 'outcome']);
  readonly timeouts = this.counter('tq_task_timeouts_total', 'Attempts ended by their timeoutSeconds, by what became of the task', ['project', 'outcome']);
  readonly claimCalls = this.counter('tq_claims_total', 'Claim calls, by whether they got a task', ['result']);

  readonly queueWait = new Histogram({
    name: 'tq_task_queue_wait_seconds',
    help: 'From creation to first claim (dependencies included), first attempts only',
    labelNames: ['project'],
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600],
    registers: [this.registry],
  });
  readonly runDuration = new Histogram({
    name: 'tq_task_run_duration_seconds',
    help: 'From claim to completion or failure of an attempt',
    labelNames: ['project', 'outcome'],
    buckets: [0.01, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600],
    registers: [this.registry],
  });

  // GraphQL.
  readonly operations = this.counter('tq_graphql_operations_total', 'GraphQL operations by type, name and result', ['type', 'operation', 'result']);
  readonly operationDuration = new Histogram({
    name: 'tq_graphql_operation_duration_seconds',
    help: 'GraphQL operation durations (subscriptions: not measured)',
    labelNames: ['type', 'operation'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly refused = this.counter('tq_graphql_refused_total', 'Operations refused before execution, by reason', ['reason']);
  /** For access control: `metrics.authFailures.inc({ reason })` on every refused credential. */
  readonly authFailures = this.counter('tq_auth_failures_total', 'Failed authentications and authorisations, by reason', ['reason']);

  // Live connections.
  readonly wsConnections = new Gauge({ name: 'tq_ws_connections', help: 'Open graphql-ws connections on this instance', registers: [this.registry] });
  readonly wsSubscriptions = new Gauge({ name: 'tq_ws_subscriptions', help: 'Active operations on graphql-ws connections on this instance', registers: [this.registry] });
  readonly eventLag = new Histogram({
    name: 'tq_event_lag_seconds',
    help: 'From an event being written (database clock) to its dispatch to this instance’s subscribers',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly eventLogReads = this.counter(
    'tq_event_log_reads_total',
    'Reads of the event log by this instance’s pump, by outcome: done, full (a whole batch: read on at once), pending (events behind a still-running transaction: read again shortly)',
    ['outcome'],
  );
  readonly listenUp = new Gauge({ name: 'tq_pg_listen_up', help: '1 while the LISTEN connection for cross-instance events is up', registers: [this.registry] });

  // Database-derived (database-gauges.ts): the same on every instance.
  readonly tasks = new Gauge({ name: 'tq_tasks', help: 'Tasks by project and status (from the database)', labelNames: ['project', 'status'], registers: [this.registry] });
  readonly oldestReadyAge = new Gauge({
    name: 'tq_oldest_ready_task_age_seconds',
    help: 'Age of the oldest READY task per project (0 when none), database clock',
    labelNames: ['project'],
    registers: [this.registry],
  });
  readonly activeWorkers = new Gauge({ name: 'tq_active_workers', help: 'Distinct workers holding a lease, per project (from the database)', labelNames: ['project'], registers: [this.registry] });

  private readonly operationNames = new Set<string>();

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'tq_' });
  }

  /** A client-chosen operation name as a label value, bounded (see OPERATION_NAME_LIMIT). */
  operationLabel(name: string | null | undefined): string {
    if (!name) return 'anonymous';
    if (this.operationNames.has(name)) return name;
    if (!/^[_A-Za-z][_0-9A-Za-z]{0,99}$/.test(name) || this.operationNames.size >= OPERATION_NAME_LIMIT) return 'other';
    this.operationNames.add(name);
    return name;
  }

  private counter<L extends string>(name: string, help: string, labelNames: L[]): Counter<L> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }
}
