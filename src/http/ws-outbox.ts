import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';

/**
 * Above this many bytes waiting on a socket, the outbox stops writing and holds frames (the same
 * high-water mark as src/http/ws-write-coalescing.ts): a client that does not read pushes back.
 */
const HIGH_WATER_BYTES = 64 * 1024;

/**
 * Writes are the cost of fan-out: one loopback write costs more server CPU than building dozens
 * of frames. While the whole server writes fewer than WRITE_BUDGET sockets per FLUSH_INTERVAL_MS,
 * every socket is written in the turn its frames were made (a worker's taskReady, a few
 * dashboards: no added latency). Above that, sockets with frames wait for the next common flush,
 * every FLUSH_INTERVAL_MS, and each gets ONE write holding every frame since: with hundreds of
 * subscribers watching a busy project, writes per second stay bounded by sockets x 4 instead of
 * sockets x events (measured: a write cost the server more than ten frames' worth of CPU).
 */
export const FLUSH_INTERVAL_MS = 250;
const WRITE_BUDGET = 100;
/**
 * Work done per turn of the event loop before yielding, for fan-out (the multiplexer's executions
 * and deliveries) and socket writes alike: the rest resumes in a later turn (setImmediate), so
 * HTTP requests, claims and completions that arrived meanwhile are served in between.
 */
export const BUDGET_PER_TURN_MS = 2;

class Flusher {
  private now: SocketOutbox[] = [];
  private later: SocketOutbox[] = [];
  private immediate = false;
  private timer: NodeJS.Timeout | null = null;
  private windowStart = 0;
  private windowWrites = 0;

  enqueue(outbox: SocketOutbox): void {
    const t = performance.now();
    if (t - this.windowStart >= FLUSH_INTERVAL_MS) {
      this.windowStart = t;
      this.windowWrites = 0;
    }
    if (this.windowWrites < WRITE_BUDGET) {
      this.windowWrites++;
      this.now.push(outbox);
      if (!this.immediate) {
        this.immediate = true;
        // setImmediate: every frame appended during this turn goes in the same write.
        setImmediate(() => this.flush('now'));
      }
      return;
    }
    this.later.push(outbox);
    this.timer ??= setTimeout(() => this.flush('later'), FLUSH_INTERVAL_MS);
  }

  private flush(which: 'now' | 'later'): void {
    let list: SocketOutbox[];
    if (which === 'now') {
      this.immediate = false;
      list = this.now;
      this.now = [];
    } else {
      this.timer = null;
      list = this.later;
      this.later = [];
    }
    this.writeSome(list, 0);
  }

  /**
   * Writes sockets until the turn's budget is spent, the rest in later turns: hundreds of sockets
   * flushed in one turn held claims and completions back for milliseconds.
   */
  private writeSome(list: SocketOutbox[], from: number): void {
    const started = performance.now();
    let i = from;
    while (i < list.length) {
      list[i++]!.flushNow();
      if ((i & 15) === 0 && performance.now() - started >= BUDGET_PER_TURN_MS) break;
    }
    if (i < list.length) setImmediate(() => this.writeSome(list, i));
  }
}

const flusher = new Flusher();

/** Whoever appends frames: counts what it has waiting, and is told when that exceeds its limit. */
export interface OutboxOwner {
  /** Frames appended and not written yet (maintained by the outbox). */
  pending: number;
  /** The socket stays backed up and this owner has more than its limit waiting. */
  overflow(): void;
  readonly limit: number;
}

/**
 * A subscription whose frames are not appended one by one: it is queued once, and at the flush
 * the outbox takes every frame it has by then (one prefix, the shared tails of the events since
 * its last flush). Per event and subscriber that costs nothing until the bytes are copied.
 */
export interface FrameSource {
  /** The frames waiting, handed over (the source forgets them). */
  take(): { prefix: Buffer; tails: Buffer[] };
  /** Frames waiting now. */
  readonly waiting: number;
  /** The socket stays backed up and this source has more than its limit waiting. */
  overflow(): void;
  readonly limit: number;
}

const headers: Buffer[] = [];

/** WebSocket text frame header (server to client: unmasked) for a payload of `length` bytes. */
export function textFrameHeader(length: number): Buffer {
  if (length < 126) return (headers[length] ??= Buffer.from([0x81, length]));
  if (length < 65_536) {
    // Frames of one event share their length (same id length): cached, never written to.
    const cached = headers[length];
    if (cached) return cached;
    const b = Buffer.alloc(4);
    b[0] = 0x81;
    b[1] = 126;
    b.writeUInt16BE(length, 2);
    if (length < 8_192) headers[length] = b;
    return b;
  }
  const b = Buffer.allocUnsafe(10);
  b[0] = 0x81;
  b[1] = 127;
  b.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
  b.writeUInt32BE(length >>> 0, 6);
  return b;
}

/**
 * Where a flush assembles a socket's frames before its one write. Reused while writes complete at
 * once (the usual case): a fresh buffer per write made the garbage collector a visible part of
 * fan-out. A write the kernel could not take at once keeps its buffer, and the next flush gets a
 * new one.
 */
let scratch = Buffer.allocUnsafeSlow(64 * 1024);

function scratchOf(bytes: number): Buffer {
  if (scratch.length < bytes) scratch = Buffer.allocUnsafeSlow(Math.max(bytes, scratch.length * 2));
  return scratch;
}

/** Writes a text frame header for `length` bytes at `at`; returns where the payload starts. */
function putHeader(into: Buffer, at: number, length: number): number {
  const header = textFrameHeader(length);
  if (header.length === 2) {
    into[at] = header[0]!;
    into[at + 1] = header[1]!;
    return at + 2;
  }
  into.set(header, at);
  return at + header.length;
}

/**
 * Frames for one WebSocket, gathered and written together. Frames are complete WebSocket text
 * frames written straight to the TCP socket: with no extension negotiated (no permessage-deflate,
 * the server's setting), `ws` itself writes each frame to the TCP socket synchronously in call
 * order, so frames written here and messages `ws` sends (graphql-ws's `complete`, query results)
 * keep their order on the wire. With an extension, frames go through `ws.send` instead.
 *
 * Queued in order: single frames, held as their two parts (a subscription's prefix and an
 * event's tail, two slots in `items`), and frame sources (one slot each). The flush copies every
 * frame behind its header into one buffer and writes it.
 */
export class SocketOutbox {
  private items: (Buffer | FrameSource)[] = [];
  /** Owners of the single frames, one entry per run of consecutive frames of the same owner. */
  private owners: OutboxOwner[] = [];
  private runs: number[] = [];
  private scheduled = false;
  private blocked = false;
  private readonly tcp: Socket | null;
  private readonly raw: boolean;
  private drainWaiters: (() => void)[] = [];
  /** Writes to the socket (for the figures in /healthz). */
  static writes = 0;

  constructor(private readonly ws: WebSocket) {
    this.tcp = (ws as unknown as { _socket?: Socket })._socket ?? null;
    this.raw = this.tcp !== null && !ws.extensions;
  }

  get closed(): boolean {
    return this.ws.readyState !== 1 /* OPEN */;
  }

  /** The socket is backed up: nothing is written until it drains. */
  get isBlocked(): boolean {
    return this.blocked;
  }

  /** Queues one text frame, `prefix` then `tail` (together one JSON message), written at the next flush. */
  append(owner: OutboxOwner, prefix: Buffer, tail: Buffer): void {
    if (this.closed) return;
    this.items.push(prefix, tail);
    const last = this.owners.length - 1;
    if (last >= 0 && this.owners[last] === owner) this.runs[last]!++;
    else {
      this.owners.push(owner);
      this.runs.push(1);
    }
    owner.pending++;
    if (this.blocked) {
      if (owner.pending > owner.limit) owner.overflow();
      return;
    }
    this.schedule();
  }

  /** Queues a frame source: its frames are taken at the next flush (it queues itself again after). */
  appendSource(source: FrameSource): void {
    if (this.closed) return;
    this.items.push(source);
    if (!this.blocked) this.schedule();
  }

  /** Resolves once the socket accepts writes again (replay paces itself with it). */
  writable(): Promise<void> {
    if (!this.blocked || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** Writes what is queued now, whatever the interval (before a subscription completes). */
  flushNow(): void {
    this.flush();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    flusher.enqueue(this);
  }

  private flush(): void {
    this.scheduled = false;
    const items = this.items;
    const count = items.length;
    if (count === 0) return;
    if (this.closed) return this.discard();
    if (this.ws.bufferedAmount >= HIGH_WATER_BYTES) {
      if (!this.blocked) {
        this.blocked = true;
        this.tcp?.once('drain', () => this.unblock());
        if (!this.tcp) setTimeout(() => this.unblock(), FLUSH_INTERVAL_MS);
      }
      for (const o of this.owners) if (o.pending > o.limit) o.overflow();
      for (const item of items) if (!(item instanceof Uint8Array) && item.waiting > item.limit) item.overflow();
      return;
    }
    // Frames in queue order: a source's frames as [prefix, tail, prefix, tail, ...].
    const frames: Buffer[] = [];
    let bytes = 0;
    for (let i = 0; i < count; i++) {
      const item = items[i]!;
      if (item instanceof Uint8Array) {
        const tail = items[++i] as Buffer;
        frames.push(item, tail);
        bytes += frameBytes(item.length + tail.length);
        continue;
      }
      const { prefix, tails } = item.take();
      for (const tail of tails) {
        frames.push(prefix, tail);
        bytes += frameBytes(prefix.length + tail.length);
      }
    }
    this.release();
    items.length = 0;
    if (frames.length === 0) return;
    SocketOutbox.writes++;
    if (!this.raw) {
      for (let i = 0; i < frames.length; i += 2) this.ws.send(Buffer.concat([frames[i]!, frames[i + 1]!]), { binary: false });
      return;
    }
    const out = scratchOf(bytes);
    let at = 0;
    for (let i = 0; i < frames.length; i += 2) {
      const prefix = frames[i]!;
      const tail = frames[i + 1]!;
      at = putHeader(out, at, prefix.length + tail.length);
      out.set(prefix, at);
      at += prefix.length;
      out.set(tail, at);
      at += tail.length;
    }
    // One write of every frame (a socket error closes the WebSocket; ws reports it). When the
    // kernel takes it whole the scratch buffer is free again; a write left pending keeps the
    // buffer, so the scratch is replaced.
    this.tcp!.write(out.subarray(0, at));
    if (this.tcp!.writableLength > 0) scratch = Buffer.allocUnsafeSlow(scratch.length);
  }

  /** Forgets the queued single frames' accounting (their owners no longer have them waiting). */
  private release(): void {
    for (let i = 0; i < this.owners.length; i++) this.owners[i]!.pending -= this.runs[i]!;
    this.owners.length = 0;
    this.runs.length = 0;
  }

  private unblock(): void {
    this.blocked = false;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
    if (this.items.length > 0) this.schedule();
  }

  private discard(): void {
    this.release();
    for (const item of this.items) if (!(item instanceof Uint8Array)) item.take();
    this.items.length = 0;
    this.unblock();
  }
}

/** Bytes of a text frame with a payload of `length` bytes, header included. */
function frameBytes(length: number): number {
  return length + (length < 126 ? 2 : length < 65_536 ? 4 : 10);
}

const outboxes = new WeakMap<WebSocket, SocketOutbox>();

/** The one outbox of a WebSocket (its subscriptions share it, so their frames share writes). */
export function outboxOf(ws: WebSocket): SocketOutbox {
  let o = outboxes.get(ws);
  if (!o) outboxes.set(ws, (o = new SocketOutbox(ws)));
  return o;
}
