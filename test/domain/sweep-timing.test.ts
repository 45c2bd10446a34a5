import { describe, expect, it } from 'vitest';
import { dueKinds, earlierOf, earliest, noDueTimes, sleepMs, STUCK_RETRY_MAX_MS, STUCK_RETRY_MS, toLocalTimes } from '../../src/domain/sweep-timing';

// The clock is a number passed in: `now` below is an arbitrary instant.
const now = 1_000_000;
const times = (t: Partial<Record<string, number>>) => ({ ...noDueTimes(), ...t });

describe('sweeper wake-ups', () => {
  it('sleeps until the earliest due time of any kind, exactly, not rounded to a polling period', () => {
    expect(sleepMs(times({ scheduled: now + 730, timeout: now + 1_250 }), now, 0, 60_000)).toBe(730);
    // A timeout 1 s ahead under a 30 s interval: 1 s, not the interval.
    expect(sleepMs(times({ scheduled: now + 20_000, timeout: now + 1_000 }), now, 0, 30_000)).toBe(1_000);
    expect(sleepMs(times({ lease: now + 0.5 }), now, 0, 30_000)).toBe(0.5);
  });

  it('sleeps the interval when nothing waits or the next due time is further', () => {
    expect(sleepMs(noDueTimes(), now, 0, 2_000)).toBe(2_000);
    expect(sleepMs(times({ tick: now + 3_600_000 }), now, 0, 2_000)).toBe(2_000);
  });

  it('goes on at once when something is due and the last wake-up moved rows', () => {
    expect(sleepMs(times({ scheduled: now - 3 }), now, 0, 2_000)).toBe(0);
    expect(sleepMs(times({ scheduled: now }), now, 0, 2_000)).toBe(0);
  });

  it('backs off, doubling, while due rows stay held by another transaction (no spin)', () => {
    const due = times({ retry: now - 1 });
    expect([1, 2, 3, 4].map((stuck) => sleepMs(due, now, stuck, 60_000))).toEqual([STUCK_RETRY_MS, 2 * STUCK_RETRY_MS, 4 * STUCK_RETRY_MS, 8 * STUCK_RETRY_MS]);
    expect(sleepMs(due, now, 50, 60_000)).toBe(STUCK_RETRY_MAX_MS);
    expect(sleepMs(due, now, 50, 100)).toBe(100);
    // Due this very millisecond counts as due: held rows back off rather than spin.
    expect(sleepMs(times({ retry: now }), now, 1, 60_000)).toBe(STUCK_RETRY_MS);
  });

  it('runs only the steps whose time has come', () => {
    const known = times({ scheduled: now + 5, timeout: now, lease: now - 10, retry: now + 1, tick: Infinity });
    expect([...dueKinds(known, now)].sort()).toEqual(['lease', 'timeout']);
    expect(dueKinds(noDueTimes(), now).size).toBe(0);
  });

  it('a hint earlier than the lookup wins per kind; the earliest of all kinds is the wake-up', () => {
    const merged = earlierOf(times({ scheduled: now + 100, timeout: now + 900 }), times({ timeout: now + 300, lease: now + 50 }));
    expect(merged).toEqual(times({ scheduled: now + 100, timeout: now + 300, lease: now + 50 }));
    expect(earliest(merged)).toBe(now + 50);
    expect(earliest(noDueTimes())).toBe(Infinity);
  });

  it("moves the database's due times onto the local clock at the midpoint of the lookup's round trip", () => {
    // The database clock runs 5 s ahead; the lookup took 20 ms there and back.
    const dbNow = new Date(now + 5_000 + 10);
    const db = { scheduled: new Date(now + 5_000 + 10 + 700), timeout: null, lease: new Date(now + 5_000 + 10 - 3), retry: null, tick: null };
    const local = toLocalTimes(db, dbNow, now, now + 20);
    expect(local).toEqual(times({ scheduled: now + 10 + 700, lease: now + 10 - 3 }));
  });
});
