import { afterEach, describe, expect, it, vi } from 'vitest';
import { Coalescer } from '../../src/scheduler/coalescer';

/** A run function whose batches the test releases by hand, recording what each batch held. */
function gatedRun() {
  const batches: number[][] = [];
  const gates: (() => void)[] = [];
  const run = async (items: number[]) => {
    batches.push(items);
    await new Promise<void>((resolve) => gates.push(resolve));
    if (items.includes(-1)) throw new Error('bad item in batch');
    return items.map((n) => n * 10);
  };
  const release = async () => {
    gates.shift()!();
    await new Promise((r) => setImmediate(r));
  };
  return { batches, run, release };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('Coalescer', () => {
  it('starts a lone call at once, and batches the calls that arrive while it runs', async () => {
    const g = gatedRun();
    const c = new Coalescer(g.run, { maxBatch: 50, maxInFlight: 1, stallMs: 60_000, maxRunning: 4 });
    const first = c.submit('q', 1);
    expect(g.batches).toEqual([[1]]);
    const rest = [2, 3, 4].map((n) => c.submit('q', n));
    expect(g.batches).toEqual([[1]]);
    await g.release();
    expect(await first).toBe(10);
    expect(g.batches).toEqual([[1], [2, 3, 4]]);
    await g.release();
    expect(await Promise.all(rest)).toEqual([20, 30, 40]);
    expect({ statements: c.statements, calls: c.calls }).toEqual({ statements: 2, calls: 4 });
  });

  it('keeps keys apart and honours maxInFlight and maxBatch', async () => {
    const g = gatedRun();
    const c = new Coalescer(g.run, { maxBatch: 2, maxInFlight: 2, stallMs: 60_000, maxRunning: 4 });
    const calls = [c.submit('a', 1), c.submit('b', 2), c.submit('a', 3), c.submit('a', 4), c.submit('a', 5), c.submit('a', 6)];
    // a: two in flight ([1], [3]); b: its own statement at once.
    expect(g.batches).toEqual([[1], [2], [3]]);
    await g.release();
    expect(g.batches).toEqual([[1], [2], [3], [4, 5]]);
    for (let i = 0; i < 4; i++) await g.release();
    expect(g.batches).toEqual([[1], [2], [3], [4, 5], [6]]);
    expect(await Promise.all(calls)).toEqual([10, 20, 30, 40, 50, 60]);
  });

  it('a failing batch is split: only the call that fails gets the error', async () => {
    const g = gatedRun();
    const c = new Coalescer(g.run, { maxBatch: 50, maxInFlight: 1, stallMs: 60_000, maxRunning: 4 });
    const first = c.submit('q', 1);
    const others = [c.submit('q', 2), c.submit('q', -1), c.submit('q', 3)].map((p) => p.then((v) => ({ v }), (e: Error) => ({ e: e.message })));
    await g.release();
    await first;
    await g.release(); // the batch [2, -1, 3] fails; each is retried alone
    expect(g.batches.slice(2)).toEqual([[2], [-1], [3]]);
    for (let i = 0; i < 3; i++) await g.release();
    expect(await Promise.all(others)).toEqual([{ v: 20 }, { e: 'bad item in batch' }, { v: 30 }]);
  });

  it('a statement past stallMs no longer holds the calls behind it, up to maxRunning', async () => {
    // The stall timer runs on a fake clock: exact, whatever the machine's load.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const g = gatedRun();
    const c = new Coalescer(g.run, { maxBatch: 50, maxInFlight: 1, stallMs: 5, maxRunning: 2 });
    const slow = c.submit('q', 1);
    const waiting = [c.submit('q', 2), c.submit('q', 3)];
    expect(g.batches).toEqual([[1]]);
    await vi.advanceTimersByTimeAsync(4);
    expect(g.batches).toEqual([[1]]); // not stalled yet
    await vi.advanceTimersByTimeAsync(2);
    // [1] stalled: the queue went out beside it.
    expect(g.batches).toEqual([[1], [2, 3]]);
    const more = c.submit('q', 4);
    await vi.advanceTimersByTimeAsync(30);
    // Both stalled, but two are running: maxRunning holds the next call back.
    expect(g.batches).toEqual([[1], [2, 3]]);
    await g.release();
    expect(await slow).toBe(10);
    expect(g.batches).toEqual([[1], [2, 3], [4]]);
    await g.release();
    await g.release();
    expect(await Promise.all([...waiting, more])).toEqual([20, 30, 40]);
  });
});
