import { Client } from 'pg';
import type { MikroORM } from '@mikro-orm/postgresql';

/** What a taskProgress subscriber receives. */
export interface ProgressEventPayload {
  taskId: string;
  projectId: string;
  attempt: number;
  progress: { percent: number; message: string | null; at: string };
}

const CHANNEL = 'task_progress';
/** NOTIFY payloads are limited to ~8 kB: messages are cut well below that. */
const MAX_MESSAGE_CHARS = 2_000;
const QUEUE_LIMIT = 1_000;

/**
 * Progress reports travel apart from the status event log on purpose: they are not transitions
 * (the log, its cursors and taskStatusChanged stay about status), they can be frequent, and
 * losing one is harmless (the next report, or Task.progress, says the same and newer). So this
 * channel keeps no history: per task at most one event per `minIntervalMs` leaves this instance
 * (the newest report in that interval wins, sent at the interval's end), delivered to local
 * subscribers directly and to other instances by one NOTIFY outside any transaction (the
 * payload carries the event; the sending instance ignores its own echo). The LISTEN connection
 * opens with the first subscriber; with no LISTEN URL (behind a transaction-mode pooler without
 * DATABASE_DIRECT_URL: a LISTEN there would land on a shared server connection) subscribers get
 * this instance's reports only, the other instances' still reach them through Task.progress.
 */
export class ProgressChannel {
  private readonly perTask = new Map<string, { timer: NodeJS.Timeout; pending: ProgressEventPayload | null }>();
  private readonly subscribers = new Set<ProgressSubscriber>();
  private listener: Client | null = null;
  private connecting: Promise<void> | null = null;
  private closed = false;
  /** Events that left this instance (after coalescing). */
  sent = 0;

  constructor(
    private readonly orm: MikroORM,
    private readonly options: { url: string | null; instanceId: string; minIntervalMs?: number; onError: (e: unknown) => void },
  ) {}

  private get interval(): number {
    return this.options.minIntervalMs ?? 250;
  }

  /** A report was committed: send it now, or as the newest of this task's interval. */
  publish(event: ProgressEventPayload): void {
    if (this.closed) return;
    const slot = this.perTask.get(event.taskId);
    if (slot) {
      slot.pending = event;
      return;
    }
    this.send(event);
    const open = { pending: null as ProgressEventPayload | null, timer: setTimeout(() => this.endInterval(event.taskId), this.interval) };
    open.timer.unref();
    this.perTask.set(event.taskId, open);
  }

  private endInterval(taskId: string): void {
    const slot = this.perTask.get(taskId);
    this.perTask.delete(taskId);
    if (slot?.pending) this.publish(slot.pending);
  }

  private send(event: ProgressEventPayload): void {
    this.sent++;
    const message = event.progress.message;
    const trimmed = message && message.length > MAX_MESSAGE_CHARS ? { ...event, progress: { ...event.progress, message: message.slice(0, MAX_MESSAGE_CHARS) } } : event;
    this.deliver(trimmed);
    const payload = JSON.stringify({ i: this.options.instanceId, e: trimmed });
    Promise.resolve(this.orm.em.getConnection().getKnex().raw('select pg_notify(?, ?)', [CHANNEL, payload])).catch(this.options.onError);
  }

  private deliver(event: ProgressEventPayload): void {
    for (const s of this.subscribers) s.push(event);
  }

  subscribe(matches: (e: ProgressEventPayload) => boolean): ProgressSubscriber {
    const sub = new ProgressSubscriber(matches, (s) => this.subscribers.delete(s));
    if (this.closed) {
      sub.end();
      return sub;
    }
    this.subscribers.add(sub);
    this.ensureListening();
    return sub;
  }

  private ensureListening(): void {
    if (this.listener || this.connecting || this.closed || this.options.url === null) return;
    this.connecting = this.connect()
      .catch((e: unknown) => {
        this.options.onError(e);
        this.retryLater();
      })
      .finally(() => (this.connecting = null));
  }

  private retryLater(): void {
    if (this.closed) return;
    setTimeout(() => this.ensureListening(), 1_000).unref();
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.options.url! });
    const drop = () => {
      client.removeAllListeners();
      client.on('error', () => {});
      void client.end().catch(() => {});
    };
    client.on('notification', (msg) => {
      if (!msg.payload) return;
      try {
        const { i, e } = JSON.parse(msg.payload) as { i: string; e: ProgressEventPayload };
        if (i !== this.options.instanceId) this.deliver(e);
      } catch (error) {
        this.options.onError(error);
      }
    });
    const lost = () => {
      if (this.listener !== client) return;
      this.listener = null;
      drop();
      this.retryLater();
    };
    client.on('error', lost);
    client.on('end', lost);
    try {
      await client.connect();
      await client.query(`listen ${CHANNEL}`);
    } catch (e) {
      drop();
      throw e;
    }
    if (this.closed) return drop();
    this.listener = client;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const slot of this.perTask.values()) clearTimeout(slot.timer);
    this.perTask.clear();
    for (const s of [...this.subscribers]) s.end();
    await this.connecting;
    const l = this.listener;
    this.listener = null;
    if (l) {
      l.removeAllListeners();
      l.on('error', () => {});
      await l.end().catch(() => {});
    }
  }
}

/**
 * One taskProgress subscription's queue. Progress is lossy by nature: a consumer that falls
 * more than QUEUE_LIMIT events behind loses the oldest ones rather than being disconnected.
 */
export class ProgressSubscriber implements AsyncIterableIterator<ProgressEventPayload> {
  private readonly queue: ProgressEventPayload[] = [];
  private waiter: ((r: IteratorResult<ProgressEventPayload>) => void) | null = null;
  private done = false;

  constructor(
    private readonly matches: (e: ProgressEventPayload) => boolean,
    private readonly onClose: (s: ProgressSubscriber) => void,
  ) {}

  push(event: ProgressEventPayload): void {
    if (this.done || !this.matches(event)) return;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w({ value: event, done: false });
      return;
    }
    this.queue.push(event);
    if (this.queue.length > QUEUE_LIMIT) this.queue.shift();
  }

  end(): void {
    if (!this.done) {
      this.done = true;
      this.onClose(this);
    }
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w({ value: undefined, done: true });
    }
  }

  async next(): Promise<IteratorResult<ProgressEventPayload>> {
    if (this.queue.length > 0) return { value: this.queue.shift()!, done: false };
    if (this.done) return { value: undefined, done: true };
    return new Promise((resolve) => (this.waiter = resolve));
  }

  async return(): Promise<IteratorResult<ProgressEventPayload>> {
    this.queue.length = 0;
    this.end();
    return { value: undefined, done: true };
  }

  async throw(): Promise<IteratorResult<ProgressEventPayload>> {
    return this.return();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
