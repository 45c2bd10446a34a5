/**
 * When the sweeper wakes and what it does then: pure rules over due times (milliseconds on the
 * sweeper's own clock, `Infinity` for "nothing waits"), the clock passed in.
 *
 * The sweeper knows, per kind, the earliest time something falls due: a SCHEDULED task's runAt,
 * an attempt's timeout deadline, a lease's expiry, a retry's due time, a cron schedule's next
 * tick. It learns them from the database (one lookup after every wake-up, and one every sweep
 * interval as a backstop for what other instances set) and from hints sent after commits on this
 * instance (a creation with runAt, a claim of a task with a timeout). It sleeps until the
 * earliest, so a due time is met when it comes, not at the next regular sweep.
 */
export const DUE_KINDS = ['scheduled', 'timeout', 'lease', 'retry', 'tick'] as const;
export type DueKind = (typeof DUE_KINDS)[number];
export type DueTimes = Record<DueKind, number>;

/**
 * Sleeps when something is already due but the last wake-up moved nothing (another instance or
 * transaction holds the due rows locked, SKIP LOCKED passed them over): 2 ms, doubling while it
 * stays so, up to 256 ms. A short wait for the other commit, never a spin.
 */
export const STUCK_RETRY_MS = 2;
export const STUCK_RETRY_MAX_MS = 256;

export function noDueTimes(): DueTimes {
  return { scheduled: Infinity, timeout: Infinity, lease: Infinity, retry: Infinity, tick: Infinity };
}

/** Per kind, the earlier of two sets of due times (a lookup and the hints that came since). */
export function earlierOf(a: DueTimes, b: DueTimes): DueTimes {
  const out = noDueTimes();
  for (const k of DUE_KINDS) out[k] = Math.min(a[k], b[k]);
  return out;
}

export function earliest(times: DueTimes): number {
  return Math.min(...DUE_KINDS.map((k) => times[k]));
}

/** The kinds whose due time has come at `now`. */
export function dueKinds(times: DueTimes, now: number): Set<DueKind> {
  return new Set(DUE_KINDS.filter((k) => times[k] <= now));
}

/**
 * How long to sleep after a wake-up: until the earliest due time, exactly (no rounding up to a
 * polling period), at most `maxMs`. Something already due sleeps 0 when the wake-up moved rows
 * (more came due while it ran: go on at once); after `stuck` wake-ups in a row that moved none,
 * STUCK_RETRY_MS doubled per wake-up, up to STUCK_RETRY_MAX_MS.
 */
export function sleepMs(times: DueTimes, now: number, stuck: number, maxMs: number): number {
  const next = earliest(times);
  if (next === Infinity) return maxMs;
  const wait = next - now;
  if (wait > 0) return Math.min(maxMs, wait);
  if (stuck === 0) return 0;
  return Math.min(maxMs, STUCK_RETRY_MAX_MS, STUCK_RETRY_MS * 2 ** Math.min(stuck - 1, 16));
}

/**
 * Due times read on the database's clock, moved onto the sweeper's: the database read its clock
 * (`dbNow`) somewhere between sending the lookup (`sentAt`) and its answer (`receivedAt`); the
 * midpoint is the estimate with the smallest worst-case error, so a wake-up is neither a full
 * round trip late (as measuring from the answer would be) nor early by one.
 */
export function toLocalTimes(db: Record<DueKind, Date | null>, dbNow: Date, sentAt: number, receivedAt: number): DueTimes {
  const offset = (sentAt + receivedAt) / 2 - dbNow.getTime();
  const out = noDueTimes();
  for (const k of DUE_KINDS) {
    const at = db[k];
    if (at !== null) out[k] = at.getTime() + offset;
  }
  return out;
}
