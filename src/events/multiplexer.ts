import {
  createSourceEventStream,
  DocumentNode,
  execute,
  ExecutionArgs,
  ExecutionResult,
  FieldNode,
  FragmentDefinitionNode,
  getOperationAST,
  GraphQLError,
  Kind,
  SelectionSetNode,
  subscribe as graphqlSubscribe,
} from 'graphql';
import type { WebSocket } from 'ws';
import type { EventSink, EventStream, TaskEventPayload } from './event-stream';
import { comparePositions, decodeCursor, encodeCursor } from './cursor';
import { LiveSource, LiveSpec } from './live-source';
import { SlowSubscriberError } from './subscriber';
import { visibilityKey } from './visibility';
import { BUDGET_PER_TURN_MS, FrameSource, outboxOf, OutboxOwner, SocketOutbox } from '../http/ws-outbox';

/** Set on a graphql-ws operation's context by the server: where the subscription's frames go. */
export interface LiveConnection {
  socket: WebSocket;
  subscriptionId: string;
}

/** Root fields served by shared groups; any other subscription runs through graphql's own `subscribe`. */
const LIVE_FIELDS = new Set(['taskStatusChanged', 'taskReady']);
/** Task fields an event already carries: selecting only these costs no task load. */
const FIELDS_FROM_EVENT = new Set(['id', 'projectId', 'status', '__typename']);

/** A group's log of results is trimmed every this many results (see Group.trim). */
const TRIM_EVERY = 64;

type MaybePromise<T> = T | Promise<T>;

interface Queued {
  seq: number;
  payload: TaskEventPayload;
}

/**
 * Multiplexed subscriptions (the idea behind Hasura's): subscriptions with the same document,
 * variables and visibility (src/events/visibility.ts) form one group. The group is ONE sink of the
 * event stream: per event it runs its filter once, executes the selection once, serialises the
 * result once, and keeps that buffer in the group's log of results. A member is queued on its
 * socket's outbox (src/http/ws-outbox.ts) once per flush; at the flush it hands over every result
 * since its last one, each written behind the member's prefix
 * (`{"id":"<subscription id>","type":"next","payload":`): one write per socket and interval, and
 * per event and subscriber no work at all until the bytes are copied. Members that need each
 * event looked at (joining, replaying, resuming from a cursor; delivery ONE) take frames one by
 * one instead.
 *
 * Guarantees kept: events reach a group in log order and are executed and delivered in that order;
 * a member receives the events pushed after it joined (joining and the pump's dispatch are both
 * synchronous, so nothing falls between); with afterCursor it first replays the logged events up
 * to the pump's position at joining, through its own executions, holding live frames meanwhile;
 * a member whose socket stays backed up with more than SUBSCRIPTION_BUFFER_LIMIT frames waiting
 * is dropped (its connection closed with 4008) without holding anyone else back.
 */
export class Multiplexer {
  private readonly groups = new Map<string, Group>();
  private readonly documentIds = new WeakMap<DocumentNode, number>();
  private nextDocumentId = 1;
  private readonly runnable: Group[] = [];
  private loopScheduled = false;
  /** Selections executed for live events (one per group and event, however many members). */
  executions = 0;
  /** Executions for replay (afterCursor): one per replayed event and subscriber. */
  replayExecutions = 0;
  /** Frames queued to subscribers. */
  deliveries = 0;

  constructor(
    readonly stream: EventStream,
    private readonly options: {
      bufferLimit: number;
      /** How errors in a result are shown to clients (the server's error mapping). */
      formatErrors: (errors: readonly GraphQLError[]) => unknown[];
    },
  ) {}

  get bufferLimit(): number {
    return this.options.bufferLimit;
  }

  get groupCount(): number {
    return this.groups.size;
  }

  get socketWrites(): number {
    return SocketOutbox.writes;
  }

  /** graphql-ws's `subscribe`: shared groups for the live fields, graphql's own path for the rest. */
  async subscribe(args: ExecutionArgs): Promise<AsyncIterable<unknown> | ExecutionResult> {
    const connection = (args.contextValue as { liveConnection?: LiveConnection } | undefined)?.liveConnection;
    const root = connection ? liveRootField(args) : null;
    if (!connection || !root) return graphqlSubscribe(args);
    // The field's own subscribe runs as for any subscription: argument checks, access checks.
    const source = await createSourceEventStream(args);
    if (!(source instanceof LiveSource)) {
      if (!isAsyncIterable(source)) return source as ExecutionResult; // errors
      await (source as AsyncIterator<unknown>).return?.();
      return graphqlSubscribe(args);
    }
    const key = this.groupKey(args);
    let group = this.groups.get(key);
    if (!group) {
      group = new Group(this, key, args, source.spec, needsTask(source.spec, root, args.document));
      this.groups.set(key, group);
      group.attach();
    }
    const member = new Member(group, connection, source.spec.afterCursor, this.options.bufferLimit, source.onOverflow);
    group.joining++;
    const attached = await group.ready;
    group.joining--;
    if (!attached) {
      member.end();
      group.disposeIfEmpty();
      return member;
    }
    group.join(member);
    const upTo = this.stream.currentPosition;
    const after = source.spec.afterCursor ? decodeCursor(source.spec.afterCursor) : null;
    if (after && comparePositions(after, upTo) < 0) void member.replay(this.stream.replayer(after, upTo));
    return member;
  }

  /** Ends every group's members (server shutdown; the stream's close does the same). */
  close(): void {
    for (const g of [...this.groups.values()]) g.end();
  }

  schedule(group: Group): void {
    if (group.queued) return;
    group.queued = true;
    this.runnable.push(group);
    if (!this.loopScheduled) {
      this.loopScheduled = true;
      setImmediate(() => this.run());
    }
  }

  forget(group: Group): void {
    if (this.groups.get(group.key) === group) this.groups.delete(group.key);
  }

  formatResult(result: ExecutionResult): unknown {
    if (!result.errors?.length) return result;
    return { ...result, errors: this.options.formatErrors(result.errors) };
  }

  /** Groups take turns, one event each, until the turn's budget is spent. */
  private run(): void {
    this.loopScheduled = false;
    const started = performance.now();
    while (this.runnable.length > 0) {
      const group = this.runnable.shift()!;
      group.queued = false;
      if (group.step()) this.schedule(group);
      if (performance.now() - started >= BUDGET_PER_TURN_MS) break;
    }
    if (this.runnable.length > 0 && !this.loopScheduled) {
      this.loopScheduled = true;
      setImmediate(() => this.run());
    }
  }

  private groupKey(args: ExecutionArgs): string {
    let doc = this.documentIds.get(args.document);
    if (doc === undefined) this.documentIds.set(args.document, (doc = this.nextDocumentId++));
    return `${doc}\u0000${args.operationName ?? ''}\u0000${stableJson(args.variableValues ?? {})}\u0000${visibilityKey(args.contextValue)}`;
  }
}

class Group implements EventSink {
  readonly members: Member[] = [];
  private readonly queue: Queued[] = [];
  /** Sequence number of the next event pushed (members receive events numbered from their join). */
  private seq = 0;
  private roundRobin = 0;
  private executing = false;
  /** Results of delivered events that queued members may still take, positions logBase... */
  private log: Buffer[] = [];
  private logBase = 0;
  /** Log length at which the next trim runs (trim: drop what every member took; cut off the slow). */
  private trimAt = TRIM_EVERY;
  /** Members not queued on their outbox: while there are none, an event touches no member. */
  idle = 0;
  queued = false;
  joining = 0;
  ready: Promise<boolean> = Promise.resolve(false);
  private attached = false;

  constructor(
    private readonly mux: Multiplexer,
    readonly key: string,
    private readonly args: ExecutionArgs,
    readonly spec: LiveSpec,
    readonly needsTask: boolean,
  ) {}

  get subscriptions(): number {
    return this.members.length;
  }

  attach(): void {
    this.ready = this.mux.stream.attach(this).then((ok) => (this.attached = ok));
  }

  join(member: Member): void {
    member.joinSeq = this.seq;
    this.members.push(member);
    this.idle++;
  }

  leave(member: Member): void {
    const i = this.members.indexOf(member);
    if (i >= 0) {
      this.members.splice(i, 1);
      if (!member.queued) this.idle--;
    }
    this.disposeIfEmpty();
  }

  get logEnd(): number {
    return this.logBase + this.log.length;
  }

  /** The results from `from` to the end of the log (`from` below the log's start: from its start). */
  resultsFrom(from: number): Buffer[] {
    return this.log.slice(Math.max(0, from - this.logBase));
  }

  disposeIfEmpty(): void {
    if (this.members.length > 0 || this.joining > 0) return;
    this.mux.forget(this);
    if (this.attached) this.mux.stream.detach(this);
    this.attached = false;
    this.queue.length = 0;
    this.log = [];
  }

  /** Only asked when needsTask: a filter that reads the task first looks at the event's own fields. */
  wantsTask(event: TaskEventPayload): boolean {
    if (!this.spec.filterReadsTask) return this.spec.matches(event);
    return this.spec.mayMatch?.(event) ?? true;
  }

  /** Called by the pump, synchronously, in log order. */
  push(event: TaskEventPayload): void {
    if (!this.spec.matches(event)) return;
    this.queue.push({ seq: this.seq++, payload: event });
    if (this.queue.length > this.mux.bufferLimit) {
      // Executions fall behind the log: every member would be that far behind.
      this.queue.length = 0;
      for (const m of [...this.members]) m.overflow();
      return;
    }
    this.mux.schedule(this);
  }

  end(): void {
    for (const m of [...this.members]) m.end();
  }

  execute(payload: TaskEventPayload): MaybePromise<ExecutionResult> {
    try {
      return execute({ ...this.args, rootValue: payload });
    } catch (e) {
      return { errors: [e instanceof GraphQLError ? e : new GraphQLError(e instanceof Error ? e.message : String(e), { originalError: e as Error })] };
    }
  }

  /** Serialised once: the tail of every member's frame (`<payload>}`). */
  serialise(result: ExecutionResult): Buffer {
    return Buffer.from(`${JSON.stringify(this.mux.formatResult(result))}}`);
  }

  /** Executes and delivers the next event; true when more can run now. */
  step(): boolean {
    if (this.executing) return false;
    const next = this.queue.shift();
    if (!next) return false;
    const result = this.execute(next.payload);
    if (result instanceof Promise) {
      this.executing = true;
      result.then(
        (r) => this.deliver(next, r),
        (e: unknown) => this.deliver(next, { errors: [new GraphQLError(String(e))] }),
      ).finally(() => {
        this.executing = false;
        if (this.queue.length > 0) this.mux.schedule(this);
      });
      return false;
    }
    this.deliver(next, result);
    return this.queue.length > 0;
  }

  private deliver(event: Queued, result: ExecutionResult): void {
    if (this.members.length === 0) return;
    this.mux.executions++;
    const tail = this.serialise(result);
    const cursor = event.payload.cursor;
    if (this.spec.delivery === 'all') {
      const position = this.logEnd;
      this.log.push(tail);
      // Queued members take this result at their flush; only the others need to see it. (A copy:
      // a member dropped for being slow leaves the array during the loop.)
      if (this.idle > 0) for (const m of this.members.slice()) m.deliver(event.seq, cursor, tail, position);
      if (this.log.length >= this.trimAt) this.trim();
      return;
    }
    // 'one': the next member in turn that was there when the event came.
    const n = this.members.length;
    for (let i = 0; i < n; i++) {
      const m = this.members[(this.roundRobin + i) % n]!;
      if (m.joinSeq > event.seq) continue;
      this.roundRobin = (this.roundRobin + i + 1) % n;
      m.deliver(event.seq, cursor, tail);
      return;
    }
  }

  /**
   * Drops the results every queued member has taken, and cuts off members whose socket stays
   * backed up with more than their limit waiting. Runs every TRIM_EVERY results (the log of a
   * busy group holds about one flush interval of them), so it costs little per event.
   */
  private trim(): void {
    let keepFrom = this.logEnd;
    for (const m of this.members.slice()) {
      if (!m.queued) continue;
      if (m.waiting > m.limit && m.socketBlocked) {
        m.overflow();
        continue;
      }
      keepFrom = Math.min(keepFrom, m.from);
    }
    this.log.splice(0, keepFrom - this.logBase);
    this.logBase = keepFrom;
    this.trimAt = this.log.length + TRIM_EVERY;
  }

  countDeliveries(n: number): void {
    this.mux.deliveries += n;
  }

  countReplay(): void {
    this.mux.replayExecutions++;
  }
}

/** One client subscription in a group: graphql-ws iterates it, but its frames go to the outbox. */
class Member implements OutboxOwner, FrameSource, AsyncIterableIterator<ExecutionResult> {
  pending = 0;
  joinSeq = Number.MAX_SAFE_INTEGER;
  /** Queued on the outbox as a frame source: takes the group's results from `from` at the flush. */
  queued = false;
  from = 0;
  private readonly prefix: Buffer;
  private readonly outbox: SocketOutbox;
  private afterKey: string | null;
  private replaying = false;
  private held: Buffer[] = [];
  private done = false;
  private error: Error | null = null;
  private waiter: { resolve: (r: IteratorResult<ExecutionResult>) => void; reject: (e: unknown) => void } | null = null;

  constructor(
    private readonly group: Group,
    connection: LiveConnection,
    afterCursor: string | null,
    readonly limit: number,
    private readonly onOverflow?: (e: SlowSubscriberError) => void,
  ) {
    this.prefix = Buffer.from(`{"id":${JSON.stringify(connection.subscriptionId)},"type":"next","payload":`);
    this.outbox = outboxOf(connection.socket);
    this.afterKey = afterCursor ? encodeCursor(decodeCursor(afterCursor)) : null;
  }

  /**
   * An event for this member: `position` is the result's place in the group's log (delivery
   * ALL), where the member, once queued, takes it and every later one at its flush.
   */
  deliver(seq: number, cursor: string, tail: Buffer, position?: number): void {
    if (this.done || this.queued || seq < this.joinSeq) return;
    // Resumed on an instance whose pump is behind the one it came from: already delivered. (Events
    // come in cursor order: once one is past the cursor, all later ones are.)
    if (this.afterKey !== null) {
      if (cursor <= this.afterKey) return;
      this.afterKey = null;
    }
    if (this.replaying) {
      this.held.push(tail);
      if (this.held.length > this.limit) this.overflow();
      return;
    }
    if (position === undefined) return this.send(tail);
    this.queued = true;
    this.from = position;
    this.group.idle--;
    this.outbox.appendSource(this);
  }

  private send(tail: Buffer): void {
    this.group.countDeliveries(1);
    this.outbox.append(this, this.prefix, tail);
  }

  get waiting(): number {
    return this.queued ? this.group.logEnd - this.from : 0;
  }

  get socketBlocked(): boolean {
    return this.outbox.isBlocked;
  }

  /** The outbox's flush takes the results since `from` (none once cut off). */
  take(): { prefix: Buffer; tails: Buffer[] } {
    if (!this.queued) return { prefix: this.prefix, tails: [] };
    const tails = this.error ? [] : this.group.resultsFrom(this.from);
    this.queued = false;
    if (!this.done) this.group.idle++;
    this.group.countDeliveries(tails.length);
    return { prefix: this.prefix, tails };
  }

  /** afterCursor: the logged events up to the join position first, live ones held meanwhile. */
  async replay(next: () => Promise<TaskEventPayload[]>): Promise<void> {
    this.replaying = true;
    try {
      for (;;) {
        const batch = await next();
        if (batch.length === 0 || this.done) break;
        for (const p of batch) {
          if (this.done) return;
          if (!this.group.spec.matches(p)) continue;
          const result = await this.group.execute(p);
          this.group.countReplay();
          await this.outbox.writable();
          if (this.done) return;
          this.send(this.group.serialise(result));
        }
      }
      const held = this.held;
      this.held = [];
      this.replaying = false;
      for (const tail of held) this.send(tail);
    } catch (e) {
      this.fail(e instanceof Error ? e : new Error(String(e)), false);
    } finally {
      this.replaying = false;
    }
  }

  overflow(): void {
    this.fail(new SlowSubscriberError(this.limit), true);
  }

  private fail(error: Error, slow: boolean): void {
    if (this.done) return;
    this.done = true;
    this.error = error;
    this.held = [];
    this.group.leave(this);
    if (slow) this.onOverflow?.(error as SlowSubscriberError);
    const w = this.waiter;
    this.waiter = null;
    w?.reject(error);
  }

  /** Ends normally (server shutdown, or the client completed it). */
  end(): void {
    if (this.done) return;
    this.done = true;
    this.group.leave(this);
    this.outbox.flushNow();
    const w = this.waiter;
    this.waiter = null;
    w?.resolve({ value: undefined, done: true });
  }

  next(): Promise<IteratorResult<ExecutionResult>> {
    if (this.error) return Promise.reject(this.error);
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }

  async return(): Promise<IteratorResult<ExecutionResult>> {
    this.end();
    return { value: undefined, done: true };
  }

  async throw(error: unknown): Promise<IteratorResult<ExecutionResult>> {
    this.fail(error instanceof Error ? error : new Error(String(error)), false);
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

function isAsyncIterable(x: unknown): boolean {
  return typeof Object(x)[Symbol.asyncIterator] === 'function';
}

/** The operation's single root field when it is one of LIVE_FIELDS (fragments at the root: not shared). */
function liveRootField(args: ExecutionArgs): FieldNode | null {
  const op = getOperationAST(args.document, args.operationName);
  if (!op || op.operation !== 'subscription') return null;
  const [first, ...rest] = op.selectionSet.selections;
  if (!first || rest.length > 0 || first.kind !== Kind.FIELD) return null;
  return LIVE_FIELDS.has(first.name.value) ? first : null;
}

/** Whether the event's task must be loaded: the filter reads it, or the selection reaches past the ids. */
function needsTask(spec: LiveSpec, root: FieldNode, document: DocumentNode): boolean {
  if (spec.filterReadsTask) return true;
  if (!root.selectionSet) return true;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const names = fieldNames(root.selectionSet, fragments, new Set());
  if (spec.taskAt === 'taskField') return names.has('task');
  for (const n of names) if (!FIELDS_FROM_EVENT.has(n)) return true;
  return false;
}

function fieldNames(set: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, seen: Set<string>, into = new Set<string>()): Set<string> {
  for (const s of set.selections) {
    if (s.kind === Kind.FIELD) into.add(s.name.value);
    else if (s.kind === Kind.INLINE_FRAGMENT) fieldNames(s.selectionSet, fragments, seen, into);
    else if (!seen.has(s.name.value)) {
      seen.add(s.name.value);
      const f = fragments.get(s.name.value);
      if (f) fieldNames(f.selectionSet, fragments, seen, into);
    }
  }
  return into;
}

/** JSON with object keys sorted: the same variables in another order share a group. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}
