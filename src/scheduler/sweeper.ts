import type { MikroORM } from '@mikro-orm/postgresql';
import type { EntityManager } from '@mikro-orm/postgresql';
import { REFRESH_DEADLINE_BOOSTS_SQL } from '../persistence/sql/effective-priority.sql';
import { EXPIRE_LEASES_SQL, NEXT_RETRY_DUE_SQL, PROMOTE_DUE_RETRIES_SQL } from '../persistence/sql/lease-expiry.sql';
import { PRUNE_EVENTS_SQL } from '../persistence/sql/events.sql';
import { sql } from '../persistence/sql/run';
import { SchedulerDeps } from './context';
import { blockWaitingDescendants } from './descendants';

const BATCH = 500;
const PRUNE_EVERY_MS = 10 * 60 * 1000;

export interface SweepResult {
  expired: number;
  failed: number;
  retriesDue: number;
}

/**
 * One sweep: expired leases to RETRYING/FAILED, due retries to READY, deadline boosts, and
 * (now and then) old events pruned. Every statement is guarded and uses SKIP LOCKED, so any
 * number of server instances may sweep at once.
 */
export async function sweepOnce(em: EntityManager, deps: SchedulerDeps): Promise<SweepResult> {
  const result: SweepResult = { expired: 0, failed: 0, retriesDue: 0 };
  for (;;) {
    const rows = await em.transactional(async (tem) => {
      const expired = await sql<{ id: string; status: string }>(tem as EntityManager, EXPIRE_LEASES_SQL, [BATCH]);
      const failed = expired.filter((r) => r.status === 'FAILED').map((r) => r.id);
      if (failed.length) await blockWaitingDescendants(tem as EntityManager, failed, 'a dependency failed: its lease expired with no retries left');
      return expired;
    });
    if (rows.length) deps.afterCommit();
    result.expired += rows.length;
    result.failed += rows.filter((r) => r.status === 'FAILED').length;
    if (rows.length < BATCH) break;
  }
  for (;;) {
    const [{ count }] = await em.transactional((tem) => sql<{ count: number }>(tem as EntityManager, PROMOTE_DUE_RETRIES_SQL, [BATCH]));
    if (count) deps.afterCommit();
    result.retriesDue += count;
    if (count < BATCH) break;
  }
  await sql(em, REFRESH_DEADLINE_BOOSTS_SQL);
  return result;
}

/**
 * Runs sweeps every `intervalMs`, and earlier when a retry falls due sooner, so `taskReady`
 * fires when a retry becomes due rather than up to one interval later.
 */
export class Sweeper {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  private lastPrune = 0;

  constructor(
    private readonly orm: MikroORM,
    private readonly deps: SchedulerDeps,
    private readonly options: { intervalMs: number; eventRetentionHours: number; onError: (e: unknown) => void; onSwept?: (result: SweepResult) => void },
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Ask for a sweep at `at` (e.g. a retry's due time) if that is sooner than the next one. */
  wakeAt(at: Date): void {
    if (this.stopped) return;
    this.schedule(Math.max(0, at.getTime() - Date.now()));
  }

  private nextAt = Infinity;

  private schedule(delayMs: number): void {
    const at = Date.now() + delayMs;
    if (this.timer && at >= this.nextAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.nextAt = at;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.nextAt = Infinity;
      this.running = this.tick().finally(() => (this.running = null));
    }, delayMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    const em = this.orm.em.fork() as EntityManager;
    let delay = this.options.intervalMs;
    try {
      this.options.onSwept?.(await sweepOnce(em, this.deps));
      if (Date.now() - this.lastPrune > PRUNE_EVERY_MS) {
        this.lastPrune = Date.now();
        await sql(em, PRUNE_EVENTS_SQL, [this.options.eventRetentionHours]);
      }
      // The pg driver hands timestamps back as strings here (MikroORM's type parsers).
      const [{ next }] = await sql<{ next: Date | string | null }>(em, NEXT_RETRY_DUE_SQL);
      if (next) delay = Math.min(delay, Math.max(5, new Date(next).getTime() - Date.now() + 5));
    } catch (e) {
      this.options.onError(e);
    }
    if (!this.stopped) this.schedule(delay);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }
}
