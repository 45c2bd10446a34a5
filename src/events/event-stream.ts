import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { TaskStatus } from '../domain/task-status';
import type { Task } from '../persistence/entities/task.entity';
import { PRUNED_UP_TO_SQL, PUMP_READ_SQL, REPLAY_SQL, SAFE_HEAD_SQL } from '../persistence/sql/events.sql';
import { BadInputError } from '../domain/errors';
import { preparedSql, sql } from '../persistence/sql/run';
import { taskColumns, toTasks } from '../persistence/sql/task-rows';
import { comparePositions, decodeCursor, encodeCursor, EventPosition, ORIGIN } from './cursor';
import { SlowSubscriberError, Subscriber } from './subscriber';

export interface TaskEventPayload {
  cursor: string;
  taskId: string;
  projectId: string;
  previousStatus: TaskStatus | null;
  status: TaskStatus;
  at: Date;
  /**
   * The task as it is when the event is delivered (the row is the truth). Null when no listener
   * asked for it (a subscription selecting only ids costs no task load) or the row is gone.
   */
  task: Task | null;
}

/**
 * What the pump hands events to, synchronously and in log order: a client's own queue
 * (Subscriber) or a group of subscriptions sharing one execution (src/events/multiplexer.ts).
 */
export interface EventSink {
  push(event: TaskEventPayload): void;
  /** Whether `event.task` must be loaded for this sink (its filter or its selection reads it). */
  readonly needsTask: boolean;
  /**
   * For a sink that needsTask: whether this event (its task still null) may reach it. Events no
   * task-reading sink wants are dispatched without loading their task (a worker watching for
   * cancellations does not make every completion load its row). Absent: every event.
   */
  wantsTask?(event: TaskEventPayload): boolean;
  /** Client subscriptions this sink serves (for subscriberCount). */
  readonly subscriptions: number;
}

interface EventRow {
  id: string;
  txid: string;
  taskId: string;
  projectId: string;
  previousStatus: TaskStatus | null;
  status: TaskStatus;
  at: string | Date;
}

export type ReadOutcome = 'full' | 'pending' | 'done';

const BATCH = 500;
const MAX_RETRY_DELAY_MS = 250;
/**
 * Back-to-back log reads are spaced by at least this much: a quiet instance reads at once after a
 * commit, a busy one reads at most every 10 ms and gets everything committed meanwhile in one
 * read. Each read costs PostgreSQL about as much as a claim (the safe point looks at
 * pg_stat_activity), and under W1 load reads ran once per commit or two.
 */
const MIN_READ_INTERVAL_MS = 10;
/**
 * A read that found at least this many events means a busy log: the next read, even one woken
 * after the pump went idle, waits for MIN_READ_INTERVAL_MS too. Without it a steady stream of
 * commits (W1 at 700 tasks/s with 500 subscribers) woke a fresh read every 3 ms, each one a
 * statement and a socket write per subscriber; a quiet instance (one event per read, as a worker
 * waiting for its next task sees it) still reads the moment a commit says so.
 */
const BUSY_READ_EVENTS = 4;

/**
 * Delivers the event log to this instance's subscribers, in log order, each event once.
 *
 * One reader per instance ("the pump") follows the log from its position. It is woken by local
 * commits, by NOTIFY from other instances, and by a slow poll as a safety net; wake-ups that
 * arrive while it reads are coalesced into one more read. Dispatching a batch and advancing the
 * position happen synchronously together, so a subscriber registered between two reads gets
 * replay up to exactly the position and live events after it: no gap, no duplicate.
 */
export class EventStream {
  private position: EventPosition = ORIGIN;
  /** True while nobody listens: the pump skips reads and jumps to the head on the next subscriber. */
  private stale = true;
  private readonly subscribers = new Set<EventSink>();
  /** Sinks that need the task row: while none does, the pump loads no tasks. */
  private readonly taskReaders = new Set<EventSink>();
  private reading: Promise<void> | null = null;
  private dirty = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private retryDelay = 2;
  private pollTimer: NodeJS.Timeout | null = null;
  private closed = false;
  /** Log reads by the pump (wake-ups coalesce, so this grows slower than commits do). */
  reads = 0;
  private lastReadAt = 0;
  /** Events the last read found (BUSY_READ_EVENTS). */
  private lastReadEvents = 0;
  /** Task loads by the pump (none while every listener selects only what the event carries). */
  taskLoads = 0;

  constructor(
    private readonly orm: MikroORM,
    private readonly options: {
      pollIntervalMs: number;
      bufferLimit: number;
      onError: (e: unknown) => void;
      onDispatched?: (events: readonly TaskEventPayload[]) => void;
      /** After each log read: 'full' (a whole batch, read on), 'pending' (events behind a running transaction: retried), 'done'. */
      onRead?: (outcome: ReadOutcome) => void;
    },
  ) {}

  start(): void {
    this.pollTimer = setInterval(() => this.wake(), this.options.pollIntervalMs);
    this.pollTimer.unref();
  }

  /** Client subscriptions registered (a shared group counts each of its members). */
  get subscriberCount(): number {
    let n = 0;
    for (const s of this.subscribers) n += s.subscriptions;
    return n;
  }

  /** Where the pump is: every event up to here was pushed to the sinks registered at the time. */
  get currentPosition(): EventPosition {
    return this.position;
  }

  /**
   * Registers a sink: it receives every event the pump reads from now on. Resolves once it is
   * registered (the first listener makes the pump jump to the head of the log first).
   */
  async attach(sink: EventSink): Promise<boolean> {
    if (this.closed) return false;
    if (this.stale) await this.exclusive(() => this.jumpToHead());
    if (this.closed) return false;
    this.subscribers.add(sink);
    if (sink.needsTask) this.taskReaders.add(sink);
    // A wake-up that came while nobody was registered yet was dropped: read once now.
    this.wake();
    return true;
  }

  detach(sink: EventSink): void {
    if (!this.subscribers.delete(sink)) return;
    this.taskReaders.delete(sink);
    // Nobody listens: stop following the log. The next subscriber starts from the head then,
    // not from this old position (it must not receive what was committed before it came).
    if (this.subscribers.size === 0) this.stale = true;
  }

  /**
   * Replay for a subscription that joins at `upTo` (the pump's position when it registered):
   * batches of the logged events after `after` up to `upTo`, tasks loaded, through its own
   * EntityManager. An empty batch means done.
   */
  replayer(after: EventPosition, upTo: EventPosition): () => Promise<TaskEventPayload[]> {
    const em = this.orm.em.fork() as EntityManager;
    let from = after;
    return async () => {
      if (comparePositions(from, upTo) >= 0) return [];
      const rows = await sql<EventRow>(em, REPLAY_SQL, [from.txid, from.id, upTo.txid, upTo.id, BATCH]);
      if (rows.length === 0) {
        from = upTo;
        return [];
      }
      from = { txid: rows[rows.length - 1]!.txid, id: rows[rows.length - 1]!.id };
      em.clear();
      return this.toPayloads(em, rows, true);
    };
  }

  /** Something may have been committed: read the log (coalesced with a read in progress). */
  wake(): void {
    if (this.closed || this.subscribers.size === 0) return;
    if (this.reading) {
      this.dirty = true;
      return;
    }
    this.reading = this.readLoop().finally(() => (this.reading = null));
  }

  /**
   * A new subscription. With `afterCursor`, every matching event after it is replayed first
   * (from the log, through the subscription's own EntityManager), then live events follow.
   */
  async subscribe(
    matches: (e: TaskEventPayload) => boolean,
    afterCursor?: string | null,
    onOverflow?: (e: SlowSubscriberError) => void,
  ): Promise<Subscriber> {
    const after = afterCursor ? decodeCursor(afterCursor) : null;
    if (after) await this.refuseIfPruned(after);
    // A client may resume on an instance whose pump is behind the one it came from: live events
    // up to its cursor were already delivered to it, so they are skipped, not sent twice.
    const afterKey = after ? encodeCursor(after) : null;
    const wanted = afterKey ? (e: TaskEventPayload) => e.cursor > afterKey && matches(e) : matches;
    const sub = new Subscriber(wanted, this.options.bufferLimit, (s) => this.detach(s), onOverflow);
    if (!(await this.attach(sub))) {
      sub.end();
      return sub;
    }
    const upTo = this.position;
    if (after && comparePositions(after, upTo) < 0) sub.replay = this.replayer(after, upTo);
    return sub;
  }

  /** Events after a cursor older than the pruning mark are gone: say so instead of replaying a partial log. */
  async refuseIfPruned(after: EventPosition): Promise<void> {
    const [mark] = await sql<EventPosition>(this.orm.em.fork() as EntityManager, PRUNED_UP_TO_SQL);
    if (mark && comparePositions(after, mark) < 0) {
      throw new BadInputError(
        'afterCursor is older than the event log keeps (EVENT_RETENTION_HOURS): the events after it were pruned. Reload the tasks, read latestEventCursor and subscribe from that cursor.',
        { field: 'afterCursor', reason: 'CURSOR_EXPIRED', oldestCursor: encodeCursor(mark) },
      );
    }
  }

  /** Ends every subscription (server shutdown) and stops reading. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    for (const s of [...this.subscribers]) (s as Partial<{ end(): void }>).end?.();
    await this.reading?.catch(() => {});
  }

  private async exclusive(work: () => Promise<void>): Promise<void> {
    while (this.reading) await this.reading.catch(() => {});
    this.reading = work().finally(() => (this.reading = null));
    await this.reading;
  }

  private async jumpToHead(): Promise<void> {
    if (!this.stale) return;
    const em = this.orm.em.fork() as EntityManager;
    const [head] = await sql<EventPosition>(em, SAFE_HEAD_SQL);
    this.position = head ?? ORIGIN;
    this.stale = false;
  }

  private async readLoop(): Promise<void> {
    let first = true;
    do {
      if (!first || this.lastReadEvents >= BUSY_READ_EVENTS) {
        const wait = this.lastReadAt + MIN_READ_INTERVAL_MS - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        if (this.closed) return;
      }
      first = false;
      this.dirty = false;
      if (this.subscribers.size === 0) {
        this.stale = true;
        return;
      }
      try {
        if (this.stale) await this.jumpToHead();
        const more = await this.readOnce();
        this.options.onRead?.(more);
        if (more === 'full') this.dirty = true;
        else if (more === 'pending') this.scheduleRetry();
        else this.retryDelay = 2;
      } catch (e) {
        this.options.onError(e);
        this.scheduleRetry();
        return;
      }
    } while (this.dirty && !this.closed);
  }

  /** Events committed but still behind an older running transaction: look again soon. */
  private scheduleRetry(): void {
    if (this.retryTimer || this.closed) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.wake();
    }, this.retryDelay);
    this.retryDelay = Math.min(MAX_RETRY_DELAY_MS, this.retryDelay * 2);
  }

  private async readOnce(): Promise<ReadOutcome> {
    this.reads++;
    this.lastReadAt = performance.now();
    const em = this.orm.em.fork() as EntityManager;
    // Prepared: this runs after every commit while anyone listens (see preparedSql).
    const [{ events, pending }] = await preparedSql<{ events: EventRow[]; pending: boolean }>(em, 'event_pump_read', PUMP_READ_SQL, [
      this.position.txid,
      this.position.id,
      BATCH,
    ]);
    this.lastReadEvents = events.length;
    if (events.length > 0) {
      const payloads = await this.toPayloads(em, events);
      // Synchronous from here: dispatch and advance together (see the class comment).
      for (const p of payloads) for (const s of this.subscribers) s.push(p);
      this.options.onDispatched?.(payloads);
      const last = events[events.length - 1]!;
      this.position = { txid: last.txid, id: last.id };
    }
    if (events.length === BATCH) return 'full';
    return pending ? 'pending' : 'done';
  }

  /**
   * The rows as payloads, with `task` loaded (one statement) for the events a task-reading sink
   * may receive, or for every event (`all`: a replay, read by one subscriber that may want it).
   */
  private async toPayloads(em: EntityManager, rows: EventRow[], all = false): Promise<TaskEventPayload[]> {
    const payloads: TaskEventPayload[] = rows.map((r) => ({
      cursor: encodeCursor({ txid: r.txid, id: r.id }),
      taskId: r.taskId,
      projectId: r.projectId,
      previousStatus: r.previousStatus,
      status: r.status,
      at: new Date(r.at),
      task: null,
    }));
    if (!all && this.taskReaders.size === 0) return payloads;
    const readers = [...this.taskReaders];
    const wanted = (p: TaskEventPayload) => all || readers.some((sink) => !sink.wantsTask || sink.wantsTask(p));
    const ids = new Set<string>();
    for (const p of payloads) if (!ids.has(p.taskId) && wanted(p)) ids.add(p.taskId);
    if (ids.size === 0) return payloads;
    if (!all) this.taskLoads++;
    // Named columns, not *: a prepared `select *` fails once a migration adds a column.
    const taskRows = await preparedSql(em, 'event_tasks', `select ${taskColumns()} from task where id = any(?::uuid[])`, [[...ids]]);
    const tasks = new Map(toTasks(taskRows).map((t) => [t.id, t]));
    for (const p of payloads) p.task = tasks.get(p.taskId) ?? null;
    return payloads;
  }
}
