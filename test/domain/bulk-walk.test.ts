import { describe, expect, it } from 'vitest';
import { BulkBatchOutcome, BulkWalk, nextBulkWalk, startBulkWalk } from '../../src/domain/bulk-walk';

const SIZE = 3;
const batch = (b: Partial<BulkBatchOutcome> & { lastSeq: bigint | null }): BulkBatchOutcome => ({ scanned: SIZE, seen: SIZE, handled: SIZE, ...b });

describe('bulk walk', () => {
  it('nothing matched: done before the first batch', () => {
    expect(startBulkWalk(null).done).toBe(true);
    expect(startBulkWalk(7n)).toEqual({ pass: 'skipLocked', after: 0n, bound: 7n, skipped: false, done: false });
  });

  it('moves the keyset to the last row of each batch and ends on a short batch, in one pass when nothing was skipped', () => {
    let w = startBulkWalk(100n);
    w = nextBulkWalk(w, batch({ lastSeq: 10n }), SIZE);
    expect(w).toMatchObject({ pass: 'skipLocked', after: 10n, done: false });
    w = nextBulkWalk(w, batch({ lastSeq: 20n }), SIZE);
    expect(w.after).toBe(20n);
    w = nextBulkWalk(w, batch({ scanned: 1, seen: 1, handled: 1, lastSeq: 25n }), SIZE);
    expect(w).toEqual({ pass: 'skipLocked', after: 25n, bound: 100n, skipped: false, done: true });
  });

  it('ends when the keyset reaches the bound, even after a full batch (tasks created later are not part of the call)', () => {
    const w = nextBulkWalk(startBulkWalk(10n), batch({ lastSeq: 10n }), SIZE);
    expect(w.done).toBe(true);
  });

  it('a skipped row (seen > handled) in any batch of the first pass brings a second, waiting pass from the start', () => {
    let w = startBulkWalk(100n);
    w = nextBulkWalk(w, batch({ seen: 4, handled: 3, lastSeq: 12n }), SIZE);
    expect(w).toMatchObject({ pass: 'skipLocked', after: 12n, skipped: true, done: false });
    w = nextBulkWalk(w, batch({ scanned: 0, seen: 0, handled: 0, lastSeq: null }), SIZE);
    expect(w).toEqual({ pass: 'waiting', after: 0n, bound: 100n, skipped: true, done: false });
    w = nextBulkWalk(w, batch({ lastSeq: 40n }), SIZE);
    expect(w).toMatchObject({ pass: 'waiting', after: 40n, done: false });
    w = nextBulkWalk(w, batch({ scanned: 2, lastSeq: 50n }), SIZE);
    expect(w).toMatchObject({ pass: 'waiting', done: true });
  });

  it('the last batch of the first pass may be the one that skipped: the second pass still runs', () => {
    const w = nextBulkWalk(startBulkWalk(100n), batch({ scanned: 2, seen: 3, handled: 2, lastSeq: 30n }), SIZE);
    expect(w).toMatchObject({ pass: 'waiting', after: 0n, done: false });
  });

  it('the second pass runs once: it waits for locks, so it skips nothing', () => {
    let w: BulkWalk = { ...startBulkWalk(100n), pass: 'waiting', skipped: true };
    w = nextBulkWalk(w, batch({ scanned: 1, seen: 0, handled: 0, lastSeq: 5n }), SIZE);
    expect(w).toMatchObject({ pass: 'waiting', done: true });
  });
});
