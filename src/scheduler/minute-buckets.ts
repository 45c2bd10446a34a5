/**
 * Per-minute aggregates of the event log that no longer change, kept in memory per instance, so
 * a dashboard refreshing every few seconds re-reads only the last minutes of the log instead of
 * the whole hour (at 2,000 tasks/s an hour is over 20 million events).
 *
 * A minute is settled (cached) once it ended at least SETTLE_MS ago: an event's time is its
 * transaction's start, so a transaction still open when its minute ends adds to that minute
 * when it commits; one running longer than a minute would be missed (counted nowhere). Every
 * instance reads the same log, so they agree up to that.
 */
export const SETTLE_MS = 60_000;
const MINUTE_MS = 60_000;
/** Window series (keys: project or all, per series kind) kept at once; the least recent go. */
const MAX_KEYS = 200;
/** Longest window asked for; older minutes are dropped. */
const MAX_MINUTES = 24 * 60;

export class MinuteBuckets<Row> {
  private readonly series = new Map<string, Map<number, Row | null>>();

  /**
   * Rows for `minutes` (epoch ms, ascending, ending with the current minute `now`), null for a
   * minute with no events. `load(from)` reads the log from `from` on and returns the rows of the
   * minutes that had events.
   */
  async read(key: string, minutes: readonly number[], now: number, load: (from: number) => Promise<Map<number, Row>>): Promise<Map<number, Row | null>> {
    let cached = this.series.get(key);
    if (cached) this.series.delete(key); // re-inserted below: most recently used last
    cached ??= new Map();
    const settledBefore = now - SETTLE_MS;
    const from = minutes.find((m) => m + MINUTE_MS > settledBefore || !cached!.has(m)) ?? now;
    const loaded = await load(from);
    const out = new Map<number, Row | null>();
    for (const m of minutes) {
      if (m < from) out.set(m, cached.get(m) ?? null);
      else {
        const row = loaded.get(m) ?? null;
        out.set(m, row);
        if (m + MINUTE_MS <= settledBefore) cached.set(m, row);
      }
    }
    for (const m of cached.keys()) if (m < now - MAX_MINUTES * MINUTE_MS) cached.delete(m);
    this.series.set(key, cached);
    if (this.series.size > MAX_KEYS) this.series.delete(this.series.keys().next().value!);
    return out;
  }
}
