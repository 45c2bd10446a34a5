import { describe, expect, it } from 'vitest';
import { BulkBatchOutcome, BulkWalk, nextBulkWalk, sliceFractions, startBulkWalks } from '../../src/domain/bulk-walk';

const SIZE = 3;
const batch = (b: Partial<BulkBatchOutcome> & { lastSeq: bigint | null }): BulkBatchOutcome => ({ scanned: SIZE, seen: SIZE, handled: SIZE, ...b });
const single = (bound: bigint): BulkWalk => startBulkWalks(bound, 1, [], SIZE)[0]!;

describe('bulk walk: slices', () => {
  it('nothing matched: no walk at all', () => {
    expect(startBulkWalks(null, 0, [], SIZE)).toEqual([]);
  });

  it('the quantiles asked for: one cut per extra walker', () => {
    expect(sliceFractions(1)).toEqual([]);
    expect(sliceFractions(2)).toEqual([0.5]);
    expect(sliceFractions(4)).toEqual([0.25, 0.5, 0.75]);
  });

  it('a set under two batches is one slice, whatever the cuts', () => {
    expect(startBulkWalks(100n, 2 * SIZE - 1, [50n], SIZE)).toEqual([{ pass: 'skipLocked', from: 0n, bound: 100n, after: 0n, skipped: false, done: false }]);
  });

  it('a larger set is cut into consecutive slices that cover (0, bound] once', () => {
    const walks = startBulkWalks(100n, 2 * SIZE, [30n, 60n], SIZE);
    expect(walks.map((w) => [w.from, w.bound, w.after])).toEqual([
      [0n, 30n, 0n],
      [30n, 60n, 30n],
      [60n, 100n, 60n],
    ]);
  });

  it('unusable cuts (repeated, at or past the bound, out of order) are dropped', () => {
    expect(startBulkWalks(100n, 10 * SIZE, [40n, 40n, 20n, 100n, 120n], SIZE).map((w) => [w.from, w.bound])).toEqual([
      [0n, 40n],
      [40n, 100n],
    ]);
    expect(startBulkWalks(100n, 10 * SIZE, [0n], SIZE).map((w) => [w.from, w.bound])).toEqual([[0n, 100n]]);
  });
});

describe('bulk walk: batches and passes', () => {
  it('moves the keyset to the last row of each batch and ends on a short batch, in one pass when nothing was skipped', () => {
    let w = single(100n);
    w = nextBulkWalk(w, batch({ lastSeq: 10n }), SIZE);
    expect(w).toMatchObject({ pass: 'skipLocked', after: 10n, done: false });
    w = nextBulkWalk(w, batch({ lastSeq: 20n }), SIZE);
    expect(w.after).toBe(20n);
    w = nextBulkWalk(w, batch({ scanned: 1, seen: 1, handled: 1, lastSeq: 25n }), SIZE);
    expect(w).toEqual({ pass: 'skipLocked', from: 0n, bound: 100n, after: 25n, skipped: false, done: true });
  });

  it('an empty batch ends the pass where the keyset stood', () => {
    let w = single(100n);
    w = nextBulkWalk(w, batch({ lastSeq: 30n }), SIZE);
    expect(nextBulkWalk(w, { scanned: 0, seen: 0, handled: 0, lastSeq: null }, SIZE)).toEqual({ ...w, done: true });
  });

  it("ends when the keyset reaches the slice's bound, even after a full batch", () => {
    expect(nextBulkWalk(single(10n), batch({ lastSeq: 10n }), SIZE).done).toBe(true);
    const [first] = startBulkWalks(100n, 10 * SIZE, [50n], SIZE);
    expect(nextBulkWalk(first!, batch({ lastSeq: 50n }), SIZE).done).toBe(true);
  });

  it('a skipped row (seen > handled) in any batch of the first pass brings a second, waiting pass from the slice start', () => {
    let w = startBulkWalks(100n, 10 * SIZE, [40n], SIZE)[1]!;
    w = nextBulkWalk(w, batch({ seen: 4, handled: 3, lastSeq: 52n }), SIZE);
    expect(w).toMatchObject({ pass: 'skipLocked', after: 52n, skipped: true, done: false });
    w = nextBulkWalk(w, batch({ scanned: 0, seen: 0, handled: 0, lastSeq: null }), SIZE);
    expect(w).toEqual({ pass: 'waiting', from: 40n, bound: 100n, after: 40n, skipped: true, done: false });
    w = nextBulkWalk(w, batch({ lastSeq: 70n }), SIZE);
    expect(w).toMatchObject({ pass: 'waiting', after: 70n, done: false });
    w = nextBulkWalk(w, batch({ scanned: 2, lastSeq: 80n }), SIZE);
    expect(w).toMatchObject({ pass: 'waiting', done: true });
  });

  it('the last batch of the first pass may be the one that skipped: the second pass still runs', () => {
    const w = nextBulkWalk(single(100n), batch({ scanned: 2, seen: 3, handled: 2, lastSeq: 30n }), SIZE);
    expect(w).toMatchObject({ pass: 'waiting', after: 0n, done: false });
  });

  it('the second pass runs once: it waits for locks, so it skips nothing', () => {
    let w: BulkWalk = { ...single(100n), pass: 'waiting', skipped: true };
    w = nextBulkWalk(w, batch({ scanned: 1, seen: 0, handled: 0, lastSeq: 5n }), SIZE);
    expect(w).toMatchObject({ pass: 'waiting', done: true });
  });
});
