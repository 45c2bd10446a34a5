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
    for (const o of list) o.flushNow();
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
 * Frames for one WebSocket, gathered and written together. Frames are complete WebSocket text
 * frames written straight to the TCP socket: with no extension negotiated (no permessage-deflate,
 * the server's setting), `ws` itself writes each frame to the TCP socket synchronously in call
 * order, so frames written here and messages `ws` sends (graphql-ws's `complete`, query results)
 * keep their order on the wire. With an extension, frames go through `ws.send` instead.
 */
export class SocketOutbox {
  private chunks: Buffer[] = [];
  private owners: OutboxOwner[] = [];
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

  /** Queues one text frame made of `parts` (already JSON), written at the next flush. */
  append(owner: OutboxOwner, parts: Buffer[], length: number): void {
    if (this.closed) return;
    if (this.raw) {
      const header = textFrameHeader(length);
      this.chunks.push(header);
      for (const p of parts) this.chunks.push(p);
      this.bytes += header.length + length;
    } else {
      this.chunks.push(Buffer.concat(parts, length));
      this.bytes += length;
    }
    this.owners.push(owner);
    owner.pending++;
    if (this.blocked) {
      if (owner.pending > owner.limit) owner.overflow();
      return;
    }
    this.schedule();
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
    if (this.chunks.length === 0) return;
    if (this.closed) return this.discard();
    if (this.ws.bufferedAmount >= HIGH_WATER_BYTES) {
      if (!this.blocked) {
        this.blocked = true;
        this.tcp?.once('drain', () => this.unblock());
        if (!this.tcp) setTimeout(() => this.unblock(), FLUSH_INTERVAL_MS);
      }
      for (const o of new Set(this.owners)) if (o.pending > o.limit) o.overflow();
      return;
    }
    const chunks = this.chunks;
    const owners = this.owners;
    this.chunks = [];
    this.owners = [];
    const bytes = this.bytes;
    this.bytes = 0;
    for (const o of owners) o.pending--;
    SocketOutbox.writes++;
    if (this.raw) {
      // One write of every frame (a socket error closes the WebSocket; ws reports it).
      this.tcp!.write(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, bytes));
    } else {
      for (const c of chunks) this.ws.send(c, { binary: false });
    }
  }

  private unblock(): void {
    this.blocked = false;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
    if (this.chunks.length > 0) this.schedule();
  }

  private discard(): void {
    for (const o of this.owners) o.pending--;
    this.chunks = [];
    this.owners = [];
    this.bytes = 0;
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
