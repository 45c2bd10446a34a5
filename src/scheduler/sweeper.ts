import type { MikroORM } from '@mikro-orm/postgresql';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { RetentionDays } from '../domain/retention';
import { REFRESH_DEADLINE_BOOSTS_SQL } from '../persistence/sql/effective-priority.sql';
import { EXPIRE_LEASES_SQL, PROMOTE_DUE_RETRIES_SQL } from '../persistence/sql/lease-expiry.sql';
import { EXPIRE_TIMEOUTS_SQL } from '../persistence/sql/timeouts.sql';
import { PROMOTE_DUE_SCHEDULED_SQL } from '../persistence/sql/scheduled.sql';
import { NextDueRow, PROMOTE_SCHEDULED_AND_NEXT_DUE_SQL } from '../persistence/sql/next-due.sql';
import { PRUNE_EVENTS_SQL } from '../persistence/sql/events.sql';
import { preparedSql, sql } from '../persistence/sql/run';
import { DueKind, DueTimes, dueKinds, earlierOf, earliest, noDueTimes, sleepMs, toLocalTimes } from '../domain/sweep-timing';
import { SchedulerDeps } from './context';
import { blockWaitingDescendants } from './descendants';
import { fireDueSchedules } from './fire-schedules';
import { pruneFinishedTasks } from './prune-finished';

const BATCH = 500;
const PRUNE_EVERY_MS = 10 * 60 * 1000;

export interface SweepResult {
  expired: number;
  timedOut: number;
  failed: number;
  retriesDue: number;
  scheduledDue: number;
  schedulesFired: number;
}

/** Ends attempts (expired lease or timeout) in batches; FAILED ones block their waiting dependents. */
async function endAttempts(em: EntityManager, deps: SchedulerDeps, statement: string, cause: 'lease_expired' | 'timeout', why: string): Promise<{ ended: number; failed: number }> {
  let ended = 0;
  let failedCount = 0;
  for (;;) {
    const rows = await em.transactional(async (tem) => {
      const expired = await sql<{ id: string; project_id: string; status: string }>(tem as EntityManager, statement, [BATCH]);
      const failed = expired.filter((r) => r.status === 'FAILED').map((r) => r.id);
      if (failed.length) await blockWaitingDescendants(tem as EntityManager, failed, why);
      return expired;
    });
    if (rows.length) deps.afterCommit();
    if (deps.tasksChanged) countEnded(deps.tasksChanged, rows, cause);
    ended += rows.length;
    failedCount += rows.filter((r) => r.status === 'FAILED').length;
    if (rows.length < BATCH) return { ended, failed: failedCount };
  }
}

/** Tells the counters how many attempts of each project ended RETRYING or FAILED, and why. */
function countEnded(tasksChanged: NonNullable<SchedulerDeps['tasksChanged']>, rows: readonly { project_id: string; status: string }[], cause: 'lease_expired' | 'timeout'): void {
  const counts = new Map<string, { retried: number; failed: number }>();
  for (const r of rows) {
    const c = counts.get(r.project_id) ?? { retried: 0, failed: 0 };
    if (r.status === 'FAILED') c.failed++;
    else c.retried++;
    counts.set(r.project_id, c);
  }
  for (const [projectId, c] of counts) {
    if (c.retried) tasksChanged({ kind: 'retried', projectId, count: c.retried, cause });
    if (c.failed) tasksChanged({ kind: 'failed', projectId, count: c.failed, cause });
  }
}

/**
 * Runs a guarded promotion statement (`select count`) in batches; returns how many moved. Each
 * is one statement (update and log in one CTE), atomic in autocommit: one round trip, no
 * BEGIN/COMMIT, which is what keeps READY within milliseconds of runAt.
 */
async function promote(em: EntityManager, deps: SchedulerDeps, statement: string): Promise<number> {
  let total = 0;
  for (;;) {
    const [{ count }] = await sql<{ count: number }>(em, statement, [BATCH]);
    if (count) deps.afterCommit();
    total += count;
    if (count < BATCH) return total;
  }
}

/** Which steps of a sweep to run (all by default). */
export interface SweepSteps {
  scheduled?: boolean;
  timeouts?: boolean;
  retries?: boolean;
  schedules?: boolean;
  leases?: boolean;
  /** Deadline boosts: the one step only the regular sweep runs. */
  periodic?: boolean;
}

const ALL_STEPS: Required<SweepSteps> = { scheduled: true, timeouts: true, leases: true, retries: true, schedules: true, periodic: true };

/**
 * One sweep: due SCHEDULED tasks to READY, expired leases and timed-out attempts to
 * RETRYING/FAILED, due retries to READY, due cron ticks to tasks, deadline boosts. Every
 * statement is guarded and uses SKIP LOCKED, so any number of server instances may sweep at once.
 */
export async function sweepOnce(em: EntityManager, deps: SchedulerDeps, steps: SweepSteps = ALL_STEPS): Promise<SweepResult> {
  const result: SweepResult = { expired: 0, timedOut: 0, failed: 0, retriesDue: 0, scheduledDue: 0, schedulesFired: 0 };
  // Promotions first: they are what a waiting worker is waiting for.
  if (steps.scheduled) result.scheduledDue = await promote(em, deps, PROMOTE_DUE_SCHEDULED_SQL);
  if (steps.leases) {
    const leases = await endAttempts(em, deps, EXPIRE_LEASES_SQL, 'lease_expired', 'a dependency failed: its lease expired with no retries left');
    result.expired = leases.ended;
    result.failed += leases.failed;
  }
  if (steps.timeouts) {
    const timeouts = await endAttempts(em, deps, EXPIRE_TIMEOUTS_SQL, 'timeout', 'a dependency failed: it timed out with no retries left');
    result.timedOut = timeouts.ended;
    result.failed += timeouts.failed;
  }
  if (steps.retries) result.retriesDue = await promote(em, deps, PROMOTE_DUE_RETRIES_SQL);
  if (steps.schedules) result.schedulesFired = await fireDueSchedules(em, deps);
  if (steps.periodic) await sql(em, REFRESH_DEADLINE_BOOSTS_SQL);
  return result;
}

export interface SweeperOptions {
  intervalMs: number;
  eventRetentionHours: number;
  onError: (e: unknown) => void;
  /** Finished-task retention per status (days; 0 keeps forever). Absent: no task pruning. */
  retentionDays?: RetentionDays;
  /** How often retention runs (ms; default 60 s). */
  retentionEveryMs?: number;
  /** Told what every sweep did (the counters are told per task through SchedulerDeps.tasksChanged). */
  onSwept?: (result: SweepResult) => void;
}

/**
 * Rows one wake-up promotes per statement: every SCHEDULED task due after a stall of seconds at
 * a thousand runAts a second, so a late wake-up catches up in one statement (rows later in a
 * statement are logged later: several statements would put each batch's wait on the next).
 */
const WAKE_BATCH = 5_000;

const toDate = (v: Date | string | null) => (v === null ? null : new Date(v));

/**
 * Two loops, each on its own connection, so neither waits for the other:
 *
 * - Wake-ups, at the earliest due time known (domain/sweep-timing.ts): a SCHEDULED task's runAt,
 *   an attempt's timeout, a lease's expiry, a due retry, a cron tick. A wake-up runs only the
 *   steps whose time has come, then PROMOTE_SCHEDULED_AND_NEXT_DUE_SQL, which promotes due
 *   SCHEDULED tasks and reads every next due time in one round trip, and sleeps until the
 *   earliest of them (or hints that came meanwhile). A wake-up for a runAt is that one statement.
 *   Hints after commits on this instance (wakeAt, attemptsStarted) make it wake sooner; it also
 *   wakes every `intervalMs` at the latest, so due times set on other instances are learned.
 * - The regular sweep every `intervalMs`: every step (a backstop for anything the wake-ups were
 *   not told of), deadline boosts, event-log pruning; retention runs beside it. Its statements
 *   never delay a promotion (before this split, a promotion due during a regular sweep waited
 *   for a dozen round trips).
 *
 * Every statement is guarded and uses SKIP LOCKED, so the two loops, like any number of
 * instances, may run the same step at once.
 */
export class Sweeper {
  private stopped = false;

  // Wake-ups.
  private timer: NodeJS.Timeout | null = null;
  private nextAt = Infinity;
  private waking: Promise<void> | null = null;
  private rerun = false;
  /** Wake-ups in a row that found something due and moved nothing (sweep-timing.ts: sleepMs). */
  private stuck = 0;
  /** Due times from the last lookup (on this process's clock). */
  private looked: DueTimes = noDueTimes();
  /** Due times hinted since the last wake-up began (the lookup it ends with may not see them). */
  private hints: DueTimes = noDueTimes();

  // The regular sweep and retention.
  private sweepTimer: NodeJS.Timeout | null = null;
  private sweeping: Promise<void> | null = null;
  private pruning: Promise<void> | null = null;
  private lastPrune = 0;
  /** The first retention pass comes one period after start, not during start-up. */
  private lastRetention = Date.now();

  constructor(
    private readonly orm: MikroORM,
    private readonly deps: SchedulerDeps,
    private readonly options: SweeperOptions,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
    this.sweep();
  }

  /**
   * Something falls due at `at` (a retry, a runAt, a cron tick, an attempt's deadline): wake then
   * if that is sooner than the next wake-up. `kind` says which step it is for; a hint of another
   * kind than it says costs one extra statement, never a miss (every wake-up ends with a lookup).
   */
  wakeAt(at: Date, kind: DueKind = 'scheduled'): void {
    if (this.stopped) return;
    const t = at.getTime();
    if (t < this.hints[kind]) this.hints[kind] = t;
    // Never a timer beyond the interval (a wake-up comes by then anyway, and the hint waits in
    // `hints`): a runAt weeks ahead would overflow setTimeout, which then fires at once.
    this.schedule(Math.min(this.options.intervalMs, Math.max(0, t - Date.now())));
  }

  /** A claim on this instance started attempts: wake at the earliest timeout and lease expiry. */
  attemptsStarted(timeoutAt: Date | null, leaseExpiresAt: Date | null): void {
    if (timeoutAt) this.wakeAt(timeoutAt, 'timeout');
    if (leaseExpiresAt) this.wakeAt(leaseExpiresAt, 'lease');
  }

  /**
   * After commits that may have set a due time this instance was not told of (a completion whose
   * dependent goes SCHEDULED until its runAt): a wake-up within 50 ms, whose lookup finds it (at
   * most one per 50 ms however many commits happen: an earlier wake-up already planned absorbs
   * the later ones).
   */
  recheckDueTimes(): void {
    this.wakeAt(new Date(Date.now() + 50));
  }

  private schedule(delayMs: number): void {
    const at = Date.now() + delayMs;
    if (this.waking && delayMs <= 0) {
      // A wake-up is under way and may have read the due times already: another one after it.
      this.rerun = true;
      return;
    }
    if (this.timer && at >= this.nextAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.nextAt = at;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.nextAt = Infinity;
      if (this.waking) {
        this.rerun = true;
        return;
      }
      this.waking = this.wake().finally(() => (this.waking = null));
    }, delayMs);
    this.timer.unref();
  }

  /**
   * One wake-up: the steps whose due time has come (timeouts and leases first: they make retries
   * due at once), then the promotion-and-lookup statement, then sleep until the earliest due time.
   */
  private async wake(): Promise<void> {
    const em = this.orm.em.fork() as EntityManager;
    this.rerun = false;
    const taken = this.hints;
    this.hints = noDueTimes();
    let delay = this.options.intervalMs;
    try {
      let known = earlierOf(this.looked, taken);
      let progressed = false;
      // A pass may learn that something else is due now (an attempt just timed out is a retry
      // due at once): another pass, while passes move rows (a few at most; then the timer).
      for (let pass = 0; pass < 3; pass++) {
        const due = dueKinds(known, Date.now());
        const steps: SweepSteps = { timeouts: due.has('timeout'), leases: due.has('lease'), retries: due.has('retry'), schedules: due.has('tick') };
        const result = steps.timeouts || steps.leases || steps.retries || steps.schedules ? await sweepOnce(em, this.deps, steps) : null;
        const { moved, times } = await this.promoteAndLookUp(em);
        this.looked = times;
        if (result) this.options.onSwept?.({ ...result, scheduledDue: moved });
        const passMoved = moved > 0 || (result !== null && result.expired + result.timedOut + result.retriesDue + result.schedulesFired > 0);
        progressed ||= passMoved;
        known = earlierOf(times, this.hints);
        const stillDue = dueKinds(known, Date.now());
        stillDue.delete('scheduled'); // what the statement just run left: held by another transaction
        if (stillDue.size === 0 || (pass > 0 && !passMoved)) break;
      }
      this.stuck = progressed || earliest(known) > Date.now() ? 0 : this.stuck + 1;
      delay = sleepMs(known, Date.now(), this.stuck, this.options.intervalMs);
    } catch (e) {
      // Hints are kept for the next wake-up; the timer waits an interval (the database may be down).
      this.hints = earlierOf(this.hints, taken);
      this.options.onError(e);
    }
    this.waking = null;
    if (this.rerun) delay = 0;
    if (!this.stopped) this.schedule(delay);
  }

  /** PROMOTE_SCHEDULED_AND_NEXT_DUE_SQL until it moves less than a full batch; the due times it read last. */
  private async promoteAndLookUp(em: EntityManager): Promise<{ moved: number; times: DueTimes }> {
    let moved = 0;
    for (;;) {
      const sentAt = Date.now();
      // Prepared: it runs at every wake-up, up to one per runAt.
      const [row] = await preparedSql<NextDueRow>(em, 'promote_next_due', PROMOTE_SCHEDULED_AND_NEXT_DUE_SQL, [WAKE_BATCH]);
      const receivedAt = Date.now();
      if (row!.count) this.deps.afterCommit();
      moved += row!.count;
      if (row!.count < WAKE_BATCH) {
        const db = { scheduled: toDate(row!.scheduled), timeout: toDate(row!.timeout), lease: toDate(row!.lease), retry: toDate(row!.retry), tick: toDate(row!.tick) };
        return { moved, times: toLocalTimes(db, toDate(row!.db_now)!, sentAt, receivedAt) };
      }
    }
  }

  /** The regular sweep, every `intervalMs` after the last one ended. */
  private sweep(): void {
    const em = this.orm.em.fork() as EntityManager;
    this.sweeping = (async () => {
      try {
        // Not inside `onSwept?.(…)`: without a listener that would skip the sweep itself.
        const swept = await sweepOnce(em, this.deps);
        this.options.onSwept?.(swept);
        if (Date.now() - this.lastPrune > PRUNE_EVERY_MS) {
          this.lastPrune = Date.now();
          await sql(em, PRUNE_EVENTS_SQL, [this.options.eventRetentionHours]);
        }
        this.maybeRetain();
      } catch (e) {
        this.options.onError(e);
      }
    })().finally(() => {
      this.sweeping = null;
      if (this.stopped) return;
      this.sweepTimer = setTimeout(() => this.sweep(), this.options.intervalMs);
      this.sweepTimer.unref();
    });
  }

  private maybeRetain(): void {
    const days = this.options.retentionDays;
    if (!days || this.pruning || Date.now() - this.lastRetention < (this.options.retentionEveryMs ?? 60_000)) return;
    this.lastRetention = Date.now();
    const em = this.orm.em.fork() as EntityManager;
    this.pruning = pruneFinishedTasks(em, { days, stopped: () => this.stopped, pauseMs: 5 })
      .then(() => undefined, (e) => this.options.onError(e))
      .finally(() => (this.pruning = null));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.sweepTimer) clearTimeout(this.sweepTimer);
    this.timer = null;
    this.sweepTimer = null;
    await this.waking;
    await this.sweeping;
    await this.pruning;
  }
}
