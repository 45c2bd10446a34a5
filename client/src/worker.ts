import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Connection } from './connection';
import {
  ConnectionLostError,
  GraphQLRequestError,
  isFinalRefusal,
  LeaseLostError,
  NonRetryableError,
  TaskCancelledError,
  TaskTimeoutError,
  WorkerShutdownError,
} from './errors';
import { authorization, endpoints } from './urls';
import type { Task } from './types';

/** What a handler gets besides the task. */
export interface TaskContext {
  /** Fires when the lease is lost, the task is cancelled or times out, or on forced shutdown; `signal.reason` says which. */
  signal: AbortSignal;
  /** This claim's attempt number (1-based); every call about the task is fenced with it. */
  attempt: number;
  workerId: string;
  /** Reports progress (0..100). Throttled: only the newest report is sent while one is in flight. */
  progress(percent: number, message?: string): Promise<void>;
}

export type Handler<R = unknown> = (task: Task, ctx: TaskContext) => R | Promise<R>;

export interface WorkerOptions<R = unknown> {
  /** The server's /graphql endpoint (http(s):// or ws(s)://). */
  url: string;
  /** A WORKER (or ADMIN) token. */
  token?: string;
  projectId: string;
  handler: Handler<R>;
  /** Handlers running at once (default 1). */
  concurrency?: number;
  /** Claim only tasks assigned to this kind of worker. */
  assignedTo?: string;
  /** Defaults to host-pid-random. */
  workerId?: string;
  /** Lease length asked for at claim and every renewal (default 30). Renewed every third of it. */
  leaseSeconds?: number;
  /** On close/SIGTERM: how long running handlers may finish before they are aborted and released (default 25000). */
  shutdownGraceMs?: number;
  /** Close gracefully on SIGTERM/SIGINT (a second signal forces) and exit the process once closed (default true). */
  handleSignals?: boolean;
  /** Claim attempts when nothing woke the worker (the backstop behind taskReady), default 5000. */
  pollIntervalMs?: number;
  /** The Task fields a handler receives (GraphQL selection; `id attempt timeoutSeconds` are always fetched, the worker needs them). */
  taskFields?: string;
}

export interface WorkerStats {
  running: number;
  held: number;
  pendingResults: number;
  claimed: number;
  completed: number;
  failed: number;
  leaseLost: number;
  /** Attempts that ran past their task's timeoutSeconds: aborted, left to the server to end. */
  timedOut: number;
  connected: boolean;
}

/** Result calls in flight at once: a batch is sent while the previous one is still answered. */
const MAX_FLUSHES = 3;

/** Fields the worker itself reads (fencing, the timeout timer), fetched whatever taskFields says. */
const WORKER_FIELDS = 'id attempt timeoutSeconds';

const DEFAULT_TASK_FIELDS =
  'id projectId title description priority status context metadata retryCount maxRetries attempt assignedTo parentTaskId leaseExpiresAt timeoutSeconds';

interface Held {
  task: Task;
  attempt: number;
  controller: AbortController;
  /** running: the handler runs; result: its outcome waits to be sent; gone: nothing more to send. */
  state: 'running' | 'result' | 'gone';
  /** Its result is on the wire: a heartbeat or an event that misses it is not a lost lease. */
  sending: boolean;
  outcome?: { kind: 'complete'; result: unknown } | { kind: 'fail'; error: string; retryable: boolean | null };
  /** Fires at the attempt's timeout deadline (tasks with timeoutSeconds). */
  timer?: NodeJS.Timeout;
  /** That deadline (Date.now() terms): an end of the attempt seen after it is the timeout's. */
  deadline?: number;
  progress?: { inFlight: boolean; next: { percent: number; message: string | null } | null };
}

/**
 * A worker: claims into free slots, runs the handler, renews all its leases in one call,
 * batches completions, fences every call with the claim's attempt, reconnects forever, and
 * shuts down gracefully (see createWorker).
 *
 * Events: 'claimed' (task), 'completed' (task, result), 'failed' (task, error), 'leaseLost'
 * (task, reason), 'timedOut' (task, reason), 'reconnected', 'error' (error), 'closed'.
 */
export class Worker extends EventEmitter {
  readonly workerId: string;
  readonly closed: Promise<void>;
  private readonly options: Required<Omit<WorkerOptions, 'token' | 'assignedTo' | 'workerId'>> & { assignedTo: string | null };
  private readonly conn: Connection;
  private readonly held = new Map<string, Held>();
  private running = 0;
  private claiming = false;
  private claimWanted = false;
  private pumpSoon: NodeJS.Immediate | null = null;
  /** The last claim got fewer tasks than it asked for: wait for taskReady, the poll or a reconnect. */
  private queueEmpty = false;
  private claimBackoff: NodeJS.Timeout | null = null;
  private claimFailures = 0;
  /** Result calls on the wire (up to MAX_FLUSHES: completions pipeline behind the claims). */
  private flushes = 0;
  private flushTimer: NodeJS.Timeout | null = null;
  private heartbeating = false;
  private stopping = false;
  private closing: Promise<void> | null = null;
  private forceShutdown: (() => void) | null = null;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly unsubscribes: Array<() => void> = [];
  private readonly signalHandlers: Array<[NodeJS.Signals, () => void]> = [];
  private resolveClosed!: () => void;
  private readonly counts = { claimed: 0, completed: 0, failed: 0, leaseLost: 0, timedOut: 0 };

  constructor(options: WorkerOptions) {
    super();
    const concurrency = options.concurrency ?? 1;
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 1000) throw new RangeError(`concurrency must be a whole number from 1 to 1000, got ${concurrency}`);
    const leaseSeconds = options.leaseSeconds ?? 30;
    if (!Number.isInteger(leaseSeconds) || leaseSeconds < 1) throw new RangeError(`leaseSeconds must be a whole number from 1, got ${leaseSeconds}`);
    if (typeof options.handler !== 'function') throw new TypeError('handler must be a function');
    this.options = {
      url: options.url,
      projectId: options.projectId,
      handler: options.handler,
      concurrency,
      assignedTo: options.assignedTo ?? null,
      leaseSeconds,
      shutdownGraceMs: options.shutdownGraceMs ?? 25_000,
      handleSignals: options.handleSignals ?? true,
      pollIntervalMs: options.pollIntervalMs ?? 5_000,
      taskFields: options.taskFields ?? DEFAULT_TASK_FIELDS,
    };
    this.workerId = options.workerId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    this.conn = new Connection({
      url: endpoints(options.url).ws,
      authorization: authorization(options.token),
      onConnected: (again) => {
        if (again) this.emit('reconnected');
        // Claim at once after (re)connecting, send what waited, and renew the leases.
        this.queueEmpty = false;
        this.pump();
        this.scheduleFlush(0);
        void this.heartbeat();
      },
      onClosed: (e) => {
        if (!this.closing) this.reportError(new ConnectionLostError(`connection closed (${e.code}${e.reason ? ` ${e.reason}` : ''}); reconnecting`));
      },
      onError: (e) => this.reportError(e),
    });
    this.start();
  }

  private start(): void {
    const { projectId, assignedTo } = this.options;
    this.unsubscribes.push(
      this.conn.subscribe<unknown>(`subscription($p: ID!, $a: String) { taskReady(projectId: $p, assignedTo: $a) { id } }`, { p: projectId, a: assignedTo }, {
        next: () => {
          this.queueEmpty = false;
          this.pump();
        },
        error: (e) => this.reportError(e),
      }),
      // Cancellations and attempts ended elsewhere (timeouts, expiry) of the tasks this worker holds.
      this.conn.subscribe<{ taskStatusChanged: { taskId: string; status: string; task: { status: string; attempt: number; workerId: string | null } | null } }>(
        `subscription($p: ID!) { taskStatusChanged(projectId: $p, statuses: [CANCELLED, RETRYING, FAILED, BLOCKED]) { taskId status task { status attempt workerId } } }`,
        { p: projectId },
        { next: (d) => this.onStatusEvent(d.taskStatusChanged), error: (e) => this.reportError(e) },
      ),
    );
    const poll = setInterval(() => {
      this.queueEmpty = false;
      this.pump();
    }, this.options.pollIntervalMs);
    const renew = setInterval(() => void this.heartbeat(), Math.max(500, (this.options.leaseSeconds * 1000) / 3));
    this.timers.push(poll, renew);
    if (this.options.handleSignals) {
      for (const signal of ['SIGTERM', 'SIGINT'] as const) {
        const handler = () => {
          if (this.closing) this.forceShutdown?.();
          else void this.close().then(() => this.exitAfterSignal(signal));
        };
        process.on(signal, handler);
        this.signalHandlers.push([signal, handler]);
      }
    }
  }

  stats(): WorkerStats {
    let pending = 0;
    for (const h of this.held.values()) if (h.state === 'result') pending++;
    return { running: this.running, held: this.held.size, pendingResults: pending, ...this.counts, connected: this.conn.connected };
  }

  // ---- claiming -------------------------------------------------------------------------

  /** Something may be claimable: claim into the free slots (one loop at a time; wake-ups coalesce). */
  private pump(): void {
    this.claimWanted = true;
    if (this.claiming || this.claimBackoff) return;
    void this.claimLoop();
  }

  /** Results not on the wire yet. */
  private unsent(): number {
    let n = 0;
    for (const h of this.held.values()) if (h.state === 'result' && !h.sending) n++;
    return n;
  }

  private pendingResults(): number {
    let n = 0;
    for (const h of this.held.values()) if (h.state === 'result') n++;
    return n;
  }

  private async claimLoop(): Promise<void> {
    this.claiming = true;
    try {
      while (this.claimWanted && !this.stopping && this.conn.connected) {
        this.claimWanted = false;
        const free = this.options.concurrency - this.running;
        // Results that cannot be sent pile up: stop taking work until they are out.
        if (free <= 0 || this.pendingResults() > this.options.concurrency) break;
        // Before the claim is sent: no earlier than the server's start of the attempts, so a
        // timeout counted from here fires at or a little before the server's deadline.
        const claimedAt = Date.now();
        const tasks = await this.claim(free);
        this.claimFailures = 0;
        this.queueEmpty = tasks.length < free;
        for (const task of tasks) this.run(task, claimedAt);
        if (!this.queueEmpty) this.claimWanted = true;
      }
    } catch (e) {
      if (!(e instanceof ConnectionLostError)) {
        this.reportError(e);
        // Back off before the next claim (a refused or failing claim must not spin).
        const wait = Math.min(10_000, 200 * 2 ** Math.min(this.claimFailures++, 10));
        this.claimBackoff = setTimeout(() => {
          this.claimBackoff = null;
          this.pump();
        }, wait);
      }
    } finally {
      this.claiming = false;
    }
  }

  private async claim(limit: number): Promise<Task[]> {
    // The worker's own fields ride along whatever taskFields says (GraphQL merges a field asked twice).
    const data = await this.conn.request<{ claimTasks: Task[] }>(
      `mutation($p: ID!, $w: String!, $n: Int!, $a: String, $l: Int) { claimTasks(projectId: $p, workerId: $w, limit: $n, assignedTo: $a, leaseSeconds: $l) { ${this.options.taskFields} ${WORKER_FIELDS} } }`,
      { p: this.options.projectId, w: this.workerId, n: limit, a: this.options.assignedTo, l: this.options.leaseSeconds },
    );
    return data.claimTasks;
  }

  // ---- running handlers -----------------------------------------------------------------

  private run(task: Task, claimedAt: number): void {
    if (this.stopping) {
      // Claimed while shutting down (the claim was in flight): hand it straight back.
      const h: Held = { task, attempt: task.attempt, controller: new AbortController(), state: 'gone', sending: false };
      void this.release([h]);
      return;
    }
    const h: Held = { task, attempt: task.attempt, controller: new AbortController(), state: 'running', sending: false };
    this.held.set(task.id, h);
    this.running++;
    this.counts.claimed++;
    this.emit('claimed', task);
    if (task.timeoutSeconds) {
      const seconds = task.timeoutSeconds;
      h.deadline = claimedAt + seconds * 1000;
      h.timer = setTimeout(() => this.timedOut(h, seconds), Math.max(0, h.deadline - Date.now()));
    }
    const ctx: TaskContext = {
      signal: h.controller.signal,
      attempt: h.attempt,
      workerId: this.workerId,
      progress: (percent, message) => this.progress(h, percent, message ?? null),
    };
    Promise.resolve()
      .then(() => this.options.handler(task, ctx))
      .then(
        (result) => this.finished(h, { kind: 'complete', result: result === undefined ? null : result }),
        (error: unknown) => this.finished(h, failureOf(error)),
      );
  }

  private finished(h: Held, outcome: NonNullable<Held['outcome']>): void {
    this.running--;
    if (h.timer) clearTimeout(h.timer);
    if (h.state === 'gone') {
      this.pumpIfWorthIt();
      return;
    }
    h.outcome = outcome;
    h.state = 'result';
    this.scheduleFlush(0);
    this.pumpIfWorthIt();
  }

  private pumpIfWorthIt(): void {
    if (this.stopping) {
      this.shutdownProgress?.();
      return;
    }
    if (this.queueEmpty || this.pumpSoon) return;
    // Handlers that finish together (a batch of quick tasks) free their slots in the same turn:
    // claim once for all of them in the next turn, not once for the first slot and again for the
    // rest (bench SDK W1: claims of 1 then 9 instead of 10).
    this.pumpSoon = setImmediate(() => {
      this.pumpSoon = null;
      this.pump();
    });
  }

  /** The lease is gone (lost, cancelled, ended elsewhere): abort the handler, send nothing more. */
  private drop(h: Held, reason: Error): void {
    if (h.state === 'gone') return;
    const wasRunning = h.state === 'running';
    h.state = 'gone';
    this.held.delete(h.task.id);
    if (wasRunning) h.controller.abort(reason);
    this.counts.leaseLost++;
    this.emit('leaseLost', h.task, reason);
    if (!wasRunning) this.pumpIfWorthIt();
  }

  /**
   * The attempt ran past its timeoutSeconds: the handler's signal fires (TaskTimeoutError) and
   * nothing it returns is sent. The server ends the attempt at the same deadline (charged, retried
   * per the task's policy, `metadata.error` "Timed out after N s"); a result sent now would race
   * that ending, so the worker lets go of the task as it does of a lost lease.
   */
  private timedOut(h: Held, seconds: number): void {
    if (h.state !== 'running') return;
    h.state = 'gone';
    this.held.delete(h.task.id);
    const reason = new TaskTimeoutError(h.task.id, seconds);
    h.controller.abort(reason);
    this.counts.timedOut++;
    this.emit('timedOut', h.task, reason);
  }

  private onStatusEvent(e: { taskId: string; status: string; task: { status: string; attempt: number; workerId: string | null } | null }): void {
    const h = this.held.get(e.taskId);
    if (!h || h.sending || h.state === 'gone') return;
    if (e.status === 'CANCELLED') return this.drop(h, new TaskCancelledError(h.task.id));
    // The row as it is now: still ours (an older event of a task claimed again) means nothing changed.
    const t = e.task;
    if (t && t.status === 'RUNNING' && t.attempt === h.attempt && t.workerId === this.workerId) return;
    // Ended at or after the deadline (this process was too busy to run its timer first): the timeout.
    if (h.deadline !== undefined && Date.now() >= h.deadline) return this.timedOut(h, h.task.timeoutSeconds!);
    this.drop(h, new LeaseLostError(h.task.id));
  }

  private async progress(h: Held, percent: number, message: string | null): Promise<void> {
    if (h.state !== 'running') return;
    const p = (h.progress ??= { inFlight: false, next: null });
    p.next = { percent, message };
    if (p.inFlight) return;
    p.inFlight = true;
    try {
      while (p.next && h.state === 'running') {
        const report = p.next;
        p.next = null;
        try {
          await this.conn.request(
            `mutation($id: ID!, $w: String!, $a: Int, $p: Float!, $m: String) { reportProgress(id: $id, workerId: $w, attempt: $a, percent: $p, message: $m) { id } }`,
            { id: h.task.id, w: this.workerId, a: h.attempt, p: report.percent, m: report.message },
          );
        } catch (e) {
          if (e instanceof GraphQLRequestError && e.code === 'LEASE_NOT_HELD') this.drop(h, new LeaseLostError(h.task.id));
          else if (!(e instanceof ConnectionLostError)) this.reportError(e);
          return;
        }
      }
    } finally {
      p.inFlight = false;
    }
  }

  // ---- leases -----------------------------------------------------------------------------

  /** One call renews every lease held; a lease missing from the answer was lost. */
  private async heartbeat(): Promise<void> {
    if (this.heartbeating || !this.conn.connected) return;
    const sent = [...this.held.values()].filter((h) => h.state !== 'gone');
    if (sent.length === 0) return;
    this.heartbeating = true;
    try {
      const data = await this.conn.request<{ heartbeatTasks: { id: string }[] }>(`mutation($i: [HeartbeatInput!]!) { heartbeatTasks(inputs: $i) { id } }`, {
        i: sent.map((h) => ({ id: h.task.id, workerId: this.workerId, attempt: h.attempt, leaseSeconds: this.options.leaseSeconds })),
      });
      const kept = new Set(data.heartbeatTasks.map((t) => t.id));
      for (const h of sent) if (!kept.has(h.task.id) && !h.sending && this.held.get(h.task.id) === h) this.drop(h, new LeaseLostError(h.task.id));
    } catch (e) {
      if (!(e instanceof ConnectionLostError)) this.reportError(e);
    } finally {
      this.heartbeating = false;
    }
  }

  private async release(list: Held[]): Promise<void> {
    if (list.length === 0) return;
    try {
      await this.conn.request(`mutation($i: [ReleaseInput!]!) { releaseTasks(inputs: $i) { id } }`, {
        i: list.map((h) => ({ id: h.task.id, workerId: this.workerId, attempt: h.attempt })),
      });
    } catch (e) {
      this.reportError(e);
    }
  }

  // ---- results ------------------------------------------------------------------------------

  private scheduleFlush(ms: number): void {
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      void this.flush();
    }, ms);
  }

  /** Sends waiting results: completions in one call (completeTasks), failures one call each. */
  private async flush(): Promise<void> {
    if (this.flushes >= MAX_FLUSHES || !this.conn.connected) return;
    const waiting = [...this.held.values()].filter((h) => h.state === 'result' && !h.sending);
    if (waiting.length === 0) return;
    this.flushes++;
    let retryLater = false;
    try {
      const completions = waiting.filter((h) => h.outcome!.kind === 'complete').slice(0, 1000);
      const failures = waiting.filter((h) => h.outcome!.kind === 'fail');
      const outcomes = await Promise.all([this.sendCompletions(completions), ...failures.map((h) => this.sendFailure(h))]);
      retryLater = outcomes.some((ok) => !ok);
    } finally {
      this.flushes--;
    }
    if (this.unsent() > 0) this.scheduleFlush(retryLater ? 1_000 : 0);
    this.pumpIfWorthIt();
  }

  /** True when nothing is left to retry (sent or refused for good). */
  private async sendCompletions(batch: Held[]): Promise<boolean> {
    while (batch.length > 0) {
      for (const h of batch) h.sending = true;
      try {
        if (batch.length === 1) {
          const h = batch[0]!;
          await this.conn.request(`mutation($id: ID!, $w: String, $a: Int, $r: JSON) { completeTask(id: $id, workerId: $w, attempt: $a, result: $r) { id } }`, {
            id: h.task.id,
            w: this.workerId,
            a: h.attempt,
            r: resultOf(h),
          });
        } else {
          await this.conn.request(`mutation($i: [CompleteTaskInput!]!) { completeTasks(inputs: $i) { id } }`, {
            i: batch.map((h) => ({ id: h.task.id, workerId: this.workerId, attempt: h.attempt, result: resultOf(h) })),
          });
        }
        for (const h of batch) this.done(h, 'completed');
        return true;
      } catch (e) {
        for (const h of batch) h.sending = false;
        if (!isFinalRefusal(e)) {
          if (!(e instanceof ConnectionLostError)) this.reportError(e);
          return false;
        }
        // One refused result fails the whole batch (all or nothing): settle it, resend the rest.
        const refused = batch.find((h) => h.task.id === e.extensions.taskId) ?? (batch.length === 1 ? batch[0] : undefined);
        if (!refused) {
          this.reportError(e);
          return false;
        }
        this.settleRefused(refused, e);
        batch = batch.filter((h) => h !== refused);
      }
    }
    return true;
  }

  private async sendFailure(h: Held): Promise<boolean> {
    const outcome = h.outcome as { kind: 'fail'; error: string; retryable: boolean | null };
    h.sending = true;
    try {
      await this.conn.request(`mutation($id: ID!, $w: String, $a: Int, $e: String!, $r: Boolean) { failTask(id: $id, workerId: $w, attempt: $a, error: $e, retryable: $r) { id } }`, {
        id: h.task.id,
        w: this.workerId,
        a: h.attempt,
        e: outcome.error,
        r: outcome.retryable,
      });
      this.done(h, 'failed');
      return true;
    } catch (e) {
      h.sending = false;
      if (isFinalRefusal(e)) {
        this.settleRefused(h, e);
        return true;
      }
      if (!(e instanceof ConnectionLostError)) this.reportError(e);
      return false;
    }
  }

  /** A result the server refused for good: already applied (a resend after a lost answer) or the lease is gone. */
  private settleRefused(h: Held, e: GraphQLRequestError): void {
    const already = e.code === 'INVALID_TRANSITION' && e.extensions.from === (h.outcome!.kind === 'complete' ? 'COMPLETED' : undefined);
    if (already) return this.done(h, 'completed');
    this.held.delete(h.task.id);
    h.state = 'gone';
    this.counts.leaseLost++;
    this.emit('leaseLost', h.task, e);
  }

  private done(h: Held, how: 'completed' | 'failed'): void {
    h.sending = false;
    if (h.state === 'gone') return;
    h.state = 'gone';
    this.held.delete(h.task.id);
    if (how === 'completed') {
      this.counts.completed++;
      this.emit('completed', h.task, resultOf(h));
    } else {
      this.counts.failed++;
      this.emit('failed', h.task, (h.outcome as { error: string }).error);
    }
  }

  // ---- shutdown -----------------------------------------------------------------------------

  private shutdownProgress: (() => void) | null = null;

  /**
   * Graceful stop: no more claims; running handlers get `shutdownGraceMs` to finish (leases keep
   * being renewed); then they are aborted and their tasks released (back to READY, no retry
   * charged); waiting results are sent; the socket closes. `force` skips the grace period.
   */
  close(options: { force?: boolean } = {}): Promise<void> {
    if (this.closing) {
      if (options.force) this.forceShutdown?.();
      return this.closing;
    }
    this.closing = this.shutdown(options.force ?? false);
    return this.closing;
  }

  private async shutdown(force: boolean): Promise<void> {
    this.stopping = true;
    if (this.claimBackoff) clearTimeout(this.claimBackoff);
    this.unsubscribes.shift()?.(); // taskReady: no more wake-ups
    const forced = new Promise<void>((resolve) => (this.forceShutdown = resolve));
    const drained = new Promise<void>((resolve) => {
      this.shutdownProgress = () => this.running === 0 && resolve();
      this.shutdownProgress();
    });
    if (!force) {
      let grace: NodeJS.Timeout | undefined;
      await Promise.race([drained, forced, new Promise<void>((r) => (grace = setTimeout(r, this.options.shutdownGraceMs)))]);
      clearTimeout(grace);
    }
    // Whatever still runs: abort and hand back.
    const left = [...this.held.values()].filter((h) => h.state === 'running');
    for (const h of left) {
      h.state = 'gone';
      this.held.delete(h.task.id);
      h.controller.abort(new WorkerShutdownError());
    }
    await this.whenConnected(5_000);
    await this.release(left);
    // Results that wait are sent (a few tries while connected).
    const until = Date.now() + 5_000;
    while (this.pendingResults() > 0 && Date.now() < until) {
      await this.flush();
      if (this.pendingResults() > 0) await new Promise((r) => setTimeout(r, 100));
    }
    for (const t of this.timers) clearInterval(t);
    if (this.flushTimer) clearTimeout(this.flushTimer);
    if (this.pumpSoon) clearImmediate(this.pumpSoon);
    for (const stop of this.unsubscribes) stop();
    for (const [signal, handler] of this.signalHandlers) process.removeListener(signal, handler);
    await this.conn.dispose();
    this.resolveClosed();
    this.emit('closed');
  }

  private async whenConnected(timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!this.conn.connected && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  }

  private exitAfterSignal(signal: NodeJS.Signals): void {
    // The signal asked the process to stop; it would if nobody handled it. Others may still
    // want it (their own handlers): then it is theirs to exit.
    if (process.listenerCount(signal) === 0) process.exit(0);
  }

  private reportError(e: unknown): void {
    if (this.listenerCount('error') > 0) this.emit('error', e);
    else process.emitWarning(`taskq worker ${this.workerId}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function resultOf(h: Held): unknown {
  return (h.outcome as { result: unknown }).result;
}

function failureOf(error: unknown): NonNullable<Held['outcome']> {
  const message = error instanceof Error ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}` : String(error);
  // null: the server's rule decides (retried unless the message says validation, not found …).
  const retryable = error instanceof NonRetryableError ? false : null;
  return { kind: 'fail', error: message.slice(0, 10_000) || 'handler failed', retryable };
}

/**
 * Starts a worker for one project (it connects and claims at once). Returning from the handler
 * completes the task with the value as its result; throwing fails it (NonRetryableError: no
 * retries).
 */
export function createWorker<R = unknown>(options: WorkerOptions<R>): Worker {
  return new Worker(options as WorkerOptions);
}
