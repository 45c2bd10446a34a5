import type { MikroORM } from '@mikro-orm/postgresql';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { RetentionDays } from '../domain/retention';
import { REFRESH_DEADLINE_BOOSTS_SQL } from '../persistence/sql/effective-priority.sql';
import { EXPIRE_LEASES_SQL, PROMOTE_DUE_RETRIES_SQL } from '../persistence/sql/lease-expiry.sql';
import { EXPIRE_TIMEOUTS_SQL } from '../persistence/sql/timeouts.sql';
import { PROMOTE_DUE_SCHEDULED_SQL } from '../persistence/sql/scheduled.sql';
import { NEXT_DUE_SQL, NextDueRow } from '../persistence/sql/next-due.sql';
import { PRUNE_EVENTS_SQL } from '../persistence/sql/events.sql';
import { sql } from '../persistence/sql/run';
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
  /** Lease expiry and deadline boosts: the interval-driven steps. */
  periodic?: boolean;
}

const ALL_STEPS: Required<SweepSteps> = { scheduled: true, timeouts: true, retries: true, schedules: true, periodic: true };

/**
 * One sweep: due SCHEDULED tasks to READY, expired leases and timed-out attempts to
 * RETRYING/FAILED, due retries to READY, due cron ticks to tasks, deadline boosts. Every
 * statement is guarded and uses SKIP LOCKED, so any number of server instances may sweep at once.
 */
export async function sweepOnce(em: EntityManager, deps: SchedulerDeps, steps: SweepSteps = ALL_STEPS): Promise<SweepResult> {
  const result: SweepResult = { expired: 0, timedOut: 0, failed: 0, retriesDue: 0, scheduledDue: 0, schedulesFired: 0 };
  // Promotions first: they are what a waiting worker is waiting for.
  if (steps.scheduled) result.scheduledDue = await promote(em, deps, PROMOTE_DUE_SCHEDULED_SQL);
  if (steps.periodic) {
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

const time = (v: Date | string | null) => (v === null ? null : new Date(v).getTime());

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
 * Runs sweeps every `intervalMs`, and earlier when something falls due sooner (a retry, a
 * scheduled runAt, an attempt's timeout, a cron tick: NEXT_DUE_SQL), so `taskReady` fires at
 * the due time rather than up to one interval later, without polling faster. Retention runs on
 * its own beside the sweeps (a long prune never delays a promotion).
 */
export class Sweeper {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private pruning: Promise<void> | null = null;
  private stopped = false;
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
  }

  /** Ask for a sweep at `at` (a retry's due time, a runAt, a tick) if that is sooner than the next one. */
  wakeAt(at: Date): void {
    if (this.stopped) return;
    this.schedule(Math.max(0, at.getTime() - Date.now()));
  }

  private nextAt = Infinity;
  private rerun = false;

  private schedule(delayMs: number): void {
    const at = Date.now() + delayMs;
    if (this.running && delayMs <= 0) {
      // A sweep is under way and may have read the next due time already: run another after it.
      this.rerun = true;
      return;
    }
    if (this.timer && at >= this.nextAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.nextAt = at;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.nextAt = Infinity;
      if (this.running) {
        this.rerun = true;
        return;
      }
      this.running = this.tick().finally(() => (this.running = null));
    }, delayMs);
    this.timer.unref();
  }

  private lastFull = 0;

  /**
   * A wake-up: the full sweep when the interval has passed, else only the steps whose due time
   * has come (a runAt wake-up costs the next-due lookup, one promotion statement and the lookup
   * again). Then sleep until the earliest due time, or the interval.
   */
  private async tick(): Promise<void> {
    const em = this.orm.em.fork() as EntityManager;
    let delay = this.options.intervalMs;
    try {
      this.rerun = false;
      if (Date.now() - this.lastFull >= this.options.intervalMs) {
        this.lastFull = Date.now();
        // Not inside `onSwept?.(…)`: without a listener that would skip the sweep itself.
        const swept = await sweepOnce(em, this.deps);
        this.options.onSwept?.(swept);
      } else {
        const [due] = await sql<NextDueRow>(em, NEXT_DUE_SQL);
        const now = time(due!.db_now)!;
        const isDue = (v: Date | string | null) => v !== null && time(v)! <= now;
        const swept = await sweepOnce(em, this.deps, { scheduled: isDue(due!.scheduled), timeouts: isDue(due!.timeout), retries: isDue(due!.retry), schedules: isDue(due!.tick), periodic: false });
        this.options.onSwept?.(swept);
      }
      if (Date.now() - this.lastPrune > PRUNE_EVERY_MS) {
        this.lastPrune = Date.now();
        await sql(em, PRUNE_EVENTS_SQL, [this.options.eventRetentionHours]);
      }
      this.maybeRetain();
      // The pg driver hands timestamps back as strings here (MikroORM's type parsers).
      const [next] = await sql<NextDueRow>(em, NEXT_DUE_SQL);
      const earliest = Math.min(...[next!.scheduled, next!.timeout, next!.retry, next!.tick].map((v) => time(v) ?? Infinity));
      if (earliest !== Infinity) {
        // Due times on the database's clock, the timer on this one: sleep for the difference. At
        // least 2 ms: a due row another instance holds locked must not spin this one.
        delay = Math.min(delay, Math.max(2, earliest - time(next!.db_now)!));
      }
      if (this.rerun) delay = 0;
    } catch (e) {
      this.options.onError(e);
    }
    this.running = null;
    if (!this.stopped) this.schedule(delay);
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

  private recheck: NodeJS.Timeout | null = null;

  /**
   * After commits that may have set a due time this instance was not told of (a completion whose
   * dependent goes SCHEDULED until its runAt): look up the next due time once, at most every
   * 50 ms however many commits happen, and wake for it.
   */
  recheckDueTimes(): void {
    if (this.stopped || this.recheck) return;
    this.recheck = setTimeout(() => {
      sql<NextDueRow>(this.orm.em.fork() as EntityManager, NEXT_DUE_SQL)
        .then(([row]) => {
          const earliest = Math.min(...[row!.scheduled, row!.timeout, row!.retry, row!.tick].map((v) => time(v) ?? Infinity));
          if (earliest !== Infinity) this.wakeAt(new Date(Date.now() + earliest - time(row!.db_now)!));
        }, this.options.onError)
        .finally(() => (this.recheck = null));
    }, 50);
    this.recheck.unref();
  }

  async stop(): Promise<void> {
    if (this.recheck) clearTimeout(this.recheck);
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
    await this.pruning;
  }
}
