import type { EventSink, TaskEventPayload } from './event-stream';

export class SlowSubscriberError extends Error {
  constructor(limit: number) {
    super(`Subscriber too slow: more than ${limit} events queued; reconnect with afterCursor to resume`);
  }
}

/**
 * One subscription's bounded queue. The stream pushes matching events; the GraphQL layer pulls
 * them as an async iterator. A consumer that falls more than `limit` events behind is dropped
 * (the iterator throws) instead of growing memory without bound.
 */
export class Subscriber implements AsyncIterableIterator<TaskEventPayload>, EventSink {
  /** A client's own queue: it may read anything of the event, the task included. */
  readonly needsTask = true;
  readonly subscriptions = 1;
  private readonly queue: TaskEventPayload[] = [];
  private readonly replayed: TaskEventPayload[] = [];
  private waiter: ((r: IteratorResult<TaskEventPayload>) => void) | null = null;
  private failWaiter: ((e: unknown) => void) | null = null;
  private done = false;
  private error: Error | null = null;
  /** Pulls replayed events before live ones; set by the stream when afterCursor was given. */
  replay: (() => Promise<TaskEventPayload[]>) | null = null;

  constructor(
    readonly matches: (e: TaskEventPayload) => boolean,
    private readonly limit: number,
    private readonly onClose: (s: Subscriber) => void,
    /** Called once when the consumer falls too far behind (the server closes its connection). */
    private readonly onOverflow?: (error: SlowSubscriberError) => void,
  ) {}

  push(event: TaskEventPayload): void {
    if (this.done || !this.matches(event)) return;
    if (this.waiter && this.replay === null) {
      const w = this.waiter;
      this.waiter = this.failWaiter = null;
      w({ value: event, done: false });
      return;
    }
    this.queue.push(event);
    if (this.queue.length > this.limit) {
      const error = new SlowSubscriberError(this.limit);
      this.fail(error);
      this.onOverflow?.(error);
    }
  }

  fail(error: Error): void {
    if (this.done) return;
    this.error = error;
    this.queue.length = 0;
    this.finish();
    if (this.failWaiter) {
      const f = this.failWaiter;
      this.waiter = this.failWaiter = null;
      f(error);
    }
  }

  /** Ends the stream normally (server shutdown). */
  end(): void {
    this.finish();
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = this.failWaiter = null;
      w({ value: undefined, done: true });
    }
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.onClose(this);
  }

  async next(): Promise<IteratorResult<TaskEventPayload>> {
    // Replayed events come first, one batch at a time; live ones wait in `queue` meanwhile.
    while (this.replayed.length === 0 && this.replay) {
      const batch = await this.replay();
      if (batch.length === 0) this.replay = null;
      else this.replayed.push(...batch.filter(this.matches));
    }
    if (this.replayed.length > 0) return { value: this.replayed.shift()!, done: false };
    if (this.error && this.queue.length === 0) throw this.error;
    if (this.queue.length > 0) return { value: this.queue.shift()!, done: false };
    if (this.done) return { value: undefined, done: true };
    return new Promise((resolve, reject) => {
      this.waiter = resolve;
      this.failWaiter = reject;
    });
  }

  async return(): Promise<IteratorResult<TaskEventPayload>> {
    this.queue.length = 0;
    this.replay = null;
    this.end();
    return { value: undefined, done: true };
  }

  async throw(error: unknown): Promise<IteratorResult<TaskEventPayload>> {
    this.fail(error instanceof Error ? error : new Error(String(error)));
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  get queued(): number {
    return this.queue.length;
  }
}
