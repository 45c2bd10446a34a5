import { RateLimitedError } from './errors';

/**
 * A fixed one-minute window per key, in memory, per instance: enough to stop a runaway client
 * or a token-guessing loop; not a billing meter. Keys that stopped calling are forgotten.
 */
export class MinuteCounter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly limit: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one for `key`; the seconds to wait when that goes over the limit, else 0. */
  hit(key: string): number {
    const now = this.now();
    let w = this.windows.get(key);
    if (!w || now - w.start >= 60_000) {
      if (this.windows.size > 50_000) this.sweep(now);
      this.windows.set(key, (w = { start: now, count: 0 }));
    }
    w.count++;
    return w.count > this.limit ? Math.max(1, Math.ceil((w.start + 60_000 - now) / 1000)) : 0;
  }

  /** Seconds `key` must still wait (without counting a hit). */
  blockedFor(key: string): number {
    const w = this.windows.get(key);
    if (!w) return 0;
    const now = this.now();
    if (now - w.start >= 60_000) return 0;
    return w.count >= this.limit ? Math.max(1, Math.ceil((w.start + 60_000 - now) / 1000)) : 0;
  }

  private sweep(now: number): void {
    for (const [key, w] of this.windows) if (now - w.start >= 60_000) this.windows.delete(key);
  }
}

/** Failed authentications per client address: over the limit, that address is refused unread for the rest of the minute. */
export class AuthFailureLimiter {
  private readonly counter: MinuteCounter;
  constructor(limit: number) {
    this.counter = new MinuteCounter(limit);
  }
  check(address: string): void {
    const wait = this.counter.blockedFor(address);
    if (wait > 0) throw new RateLimitedError(`Too many failed authentications from this address; try again in ${wait} s`, wait);
  }
  failed(address: string): void {
    this.counter.hit(address);
  }
}

/** RATE_LIMIT_PER_MINUTE: operations per token (0: off). */
export class OperationRateLimiter {
  private readonly counter: MinuteCounter | null;
  constructor(limit: number) {
    this.counter = limit > 0 ? new MinuteCounter(limit) : null;
  }
  hit(key: string): void {
    if (!this.counter) return;
    const wait = this.counter.hit(key);
    if (wait > 0) throw new RateLimitedError(`This token is over its rate limit (RATE_LIMIT_PER_MINUTE); try again in ${wait} s`, wait);
  }
}
