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
/** Time one turn of the event loop spends writing sockets before it lets requests in (as the multiplexer's budget). */
const BUDGET_PER_TURN_MS = 2;

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
 * A frame is held as its two parts (the subscription's prefix and the event's shared tail) until
 * the flush copies them behind their header into one buffer: per delivery, two array slots.
 */
export class SocketOutbox {
  private prefixes: Buffer[] = [];
  private tails: Buffer[] = [];
  /** Owners of the frames, one entry per run of consecutive frames of the same owner. */
  private owners: OutboxOwner[] = [];
  private runs: number[] = [];
  private bytes = 0;
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

  /** Queues one text frame, `prefix` then `tail` (together one JSON message), written at the next flush. */
  append(owner: OutboxOwner, prefix: Buffer, tail: Buffer): void {
    if (this.closed) return;
    const length = prefix.length + tail.length;
    this.prefixes.push(prefix);
    this.tails.push(tail);
    // Header bytes: 2 below 126 bytes, 4 below 64 kB (a frame of one event never reaches that).
    this.bytes += length + (length < 126 ? 2 : length < 65_536 ? 4 : 10);
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
    if (!this.scheduled) {
      this.scheduled = true;
      flusher.enqueue(this);
    }
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
    const count = this.tails.length;
    if (count === 0) return;
    if (this.closed) return this.discard();
    if (this.ws.bufferedAmount >= HIGH_WATER_BYTES) {
      if (!this.blocked) {
        this.blocked = true;
        this.tcp?.once('drain', () => this.unblock());
        if (!this.tcp) setTimeout(() => this.unblock(), FLUSH_INTERVAL_MS);
      }
      for (const o of this.owners) if (o.pending > o.limit) o.overflow();
      return;
    }
    const { prefixes, tails, bytes } = this;
    this.release();
    SocketOutbox.writes++;
    if (!this.raw) {
      for (let i = 0; i < count; i++) this.ws.send(Buffer.concat([prefixes[i]!, tails[i]!]), { binary: false });
    } else {
      const out = scratchOf(bytes);
      let at = 0;
      for (let i = 0; i < count; i++) {
        const prefix = prefixes[i]!;
        const tail = tails[i]!;
        at = putHeader(out, at, prefix.length + tail.length);
        out.set(prefix, at);
        at += prefix.length;
        out.set(tail, at);
        at += tail.length;
      }
      // One write of every frame (a socket error closes the WebSocket; ws reports it). Written as
      // a copy when the kernel takes it at once the scratch buffer would be free again; a write
      // left pending keeps the buffer, so the scratch is replaced.
      this.tcp!.write(out.subarray(0, at));
      if (this.tcp!.writableLength > 0) scratch = Buffer.allocUnsafeSlow(scratch.length);
    }
    prefixes.length = 0;
    tails.length = 0;
  }

  /** Forgets the queued frames' accounting (their owners no longer have them waiting). */
  private release(): void {
    for (let i = 0; i < this.owners.length; i++) this.owners[i]!.pending -= this.runs[i]!;
    this.owners.length = 0;
    this.runs.length = 0;
    this.bytes = 0;
  }

  private unblock(): void {
    this.blocked = false;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
    if (this.tails.length > 0) this.schedule();
  }

  private discard(): void {
    this.release();
    this.prefixes.length = 0;
    this.tails.length = 0;
    this.unblock();
  }
}

const outboxes = new WeakMap<WebSocket, SocketOutbox>();

/** The one outbox of a WebSocket (its subscriptions share it, so their frames share writes). */
export function outboxOf(ws: WebSocket): SocketOutbox {
  let o = outboxes.get(ws);
  if (!o) outboxes.set(ws, (o = new SocketOutbox(ws)));
  return o;
}
