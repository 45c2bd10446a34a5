import { describe, expect, it } from 'vitest';
import { MinuteBuckets, SETTLE_MS } from '../../src/scheduler/minute-buckets';

const M = 60_000;
const minutesEndingAt = (now: number, n: number) => Array.from({ length: n }, (_, i) => now - (n - 1 - i) * M);

describe('MinuteBuckets', () => {
  it('reads the whole window once, then only the minutes not yet settled', async () => {
    const buckets = new MinuteBuckets<number>();
    const froms: number[] = [];
    const log = new Map<number, number>();
    const load = async (from: number) => {
      froms.push(from);
      return new Map([...log].filter(([m]) => m >= from));
    };
    const now = 100 * M;
    log.set(now - 10 * M, 3).set(now - M, 1).set(now, 2);
    const first = await buckets.read('p', minutesEndingAt(now, 30), now, load);
    expect(froms).toEqual([now - 29 * M]);
    expect(first.get(now - 10 * M)).toBe(3);
    expect(first.get(now - 11 * M)).toBeNull();

    // A minute later: settled minutes come from memory; the read starts at the first unsettled one.
    const later = now + M;
    log.set(later, 5);
    const second = await buckets.read('p', minutesEndingAt(later, 30), later, load);
    expect(froms[1]).toBe(later - SETTLE_MS - M);
    expect(second.get(now - 10 * M)).toBe(3);
    expect(second.get(later)).toBe(5);
    expect([...second.keys()]).toEqual(minutesEndingAt(later, 30));

    // Another key starts from scratch.
    await buckets.read('q', minutesEndingAt(later, 5), later, load);
    expect(froms[2]).toBe(later - 4 * M);
  });
});
