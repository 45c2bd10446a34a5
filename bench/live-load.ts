import http from 'node:http';
import WebSocket from 'ws';
import { RawWebSocket } from './raw-websocket';

/**
 * The Live workload's load generator: a child process of its own (`node dist/bench/live-load.js`),
 * so the subscribers' CPU and memory never count as the server's or the bench's. Driven over IPC
 * by bench/workloads/live.ts. Raw graphql-transport-ws (no client library), subscribers over the
 * minimal WebSocket client in bench/raw-websocket.ts, the idle workers over `ws`: a subscriber here
 * costs as little as possible, so the figures show the server, not the load generator.
 *
 * Subscribers check delivery cheaply: per subscription a count and an order-sensitive hash of the
 * task ids received; every subscription of a kind must end with the same count and hash (same
 * events, same order), and the first one keeps the ids to check "each task exactly once".
 */

type Command =
  | { cmd: 'subscribe'; url: string; token: string; count: number; connections: number; query: string; variables: Record<string, unknown> }
  | { cmd: 'stats' }
  | { cmd: 'reset' }
  | { cmd: 'workers'; url: string; token: string; count: number; projectId: string; delivery: 'ONE' | 'ALL' }
  | { cmd: 'workerStats' }
  | { cmd: 'close' };

interface Sub {
  count: number;
  hash: number;
}

/** Every socket opened (the raw subscribers' and the idle workers'), closed by `close`. */
const sockets: { close(): void }[] = [];
const subs: Sub[] = [];
let firstIds: Set<string> | null = null;
let firstDuplicates = 0;
let lastMessageAt = 0;
let errors: string[] = [];

function send(message: unknown): void {
  process.send!(message);
}

/** Bytes every frame of a subscription starts with, up to its id's digits (`{"id":"`). */
const FRAME_START = Buffer.from('{"id":"');
/** What follows the id in a `next` frame with data and no errors (graphql puts `errors` first). */
const NEXT_DATA = Buffer.from('","type":"next","payload":{"data":{');

/**
 * Chains an id (bytes [from, to) of `buf`) into an order-sensitive hash, four bytes at a time:
 * equal hashes mean equal sequences (for this purpose). Works on the frame's bytes: turning 500
 * subscribers' frames into strings cost this process more CPU than the server spent sending them.
 */
function mix(hash: number, buf: Buffer, from: number, to: number): number {
  let h = Math.imul(hash ^ 0x9e3779b9, 16777619);
  let i = from;
  for (; i + 4 <= to; i += 4) h = Math.imul((h << 5) ^ (h >>> 27) ^ buf.readUInt32LE(i), 16777619);
  for (; i < to; i++) h = Math.imul(h ^ buf[i]!, 16777619);
  return h >>> 0;
}

/** An idle worker's socket, over `ws` (the workers' few frames need no economy). */
function openWorkerSocket(url: string, token: string, onMessage: (data: Buffer) => void): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, 'graphql-transport-ws', { skipUTF8Validation: true });
    ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })));
    ws.on('error', (e) => reject(e));
    ws.on('close', (code, reason) => {
      if (code !== 1000 && code !== 1005) errors.push(`socket closed ${code} ${reason.toString()}`);
    });
    ws.on('message', (raw: Buffer) => {
      if (raw[2] === 0x74 /* {"type": connection_ack, ping, ... */) {
        const data = raw.toString();
        if (data.startsWith('{"type":"connection_ack"')) return resolve(ws);
        if (data.includes('"type":"ping"')) return ws.send('{"type":"pong"}');
      }
      onMessage(raw);
    });
  });
}

/** A subscriber's socket: the raw client, acknowledged by the server before it resolves. */
function openSubscriber(url: string, token: string, onFrame: (buf: Buffer, start: number, end: number) => void): Promise<RawWebSocket> {
  return new Promise((resolve, reject) => {
    let acked = false;
    const opened = RawWebSocket.open(
      url,
      () => (lastMessageAt = Date.now()),
      (buf, start, end) => {
        if (buf[start + 2] !== 0x74 /* {"type": connection_ack, ping, ... */) return onFrame(buf, start, end);
        const data = buf.toString('utf8', start, end);
        if (data.startsWith('{"type":"connection_ack"')) {
          acked = true;
          void opened.then(resolve);
        } else if (data.includes('"type":"ping"')) void opened.then((ws) => ws.sendText('{"type":"pong"}'));
        else errors.push(data.slice(0, 200));
      },
      (message) => {
        if (!acked) reject(new Error(message));
        else errors.push(message);
      },
    );
    opened.then((ws) => ws.sendText(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })), reject);
  });
}

/** Whether `buf` holds `expected` at `at` (a loop: Buffer.compare's checks cost more than the bytes). */
function bytesAt(buf: Buffer, at: number, expected: Buffer): boolean {
  if (at + expected.length > buf.length) return false;
  for (let i = 0; i < expected.length; i++) if (buf[at + i] !== expected[i]) return false;
  return true;
}

/**
 * The subscription index of the frame at [start, frameEnd) (`{"id":"<digits>"`), and where its
 * digits end; -1 when the frame is not one of ours.
 */
function indexOf(buf: Buffer, start: number, frameEnd: number): { index: number; end: number } {
  const k0 = start + FRAME_START.length;
  if (frameEnd - start < 9 || !bytesAt(buf, start, FRAME_START)) return { index: -1, end: 0 };
  let index = 0;
  let k = k0;
  for (; k < frameEnd && buf[k] !== 0x22; k++) {
    const d = buf[k]! - 48;
    if (d < 0 || d > 9) return { index: -1, end: 0 };
    index = index * 10 + d;
  }
  return { index, end: k };
}

async function subscribe(c: Extract<Command, { cmd: 'subscribe' }>): Promise<void> {
  const base = subs.length;
  const perSocket = Math.ceil(c.count / c.connections);
  const onMessage = (buf: Buffer, start: number, frameEnd: number) => {
    const { index, end } = indexOf(buf, start, frameEnd);
    const sub = subs[index];
    if (!sub) return errors.push(buf.toString('utf8', start, Math.min(frameEnd, start + 200)));
    const dataAt = end + NEXT_DATA.length;
    if (dataAt > frameEnd || !bytesAt(buf, end, NEXT_DATA)) {
      return errors.push(buf.toString('utf8', start, Math.min(frameEnd, start + 200)));
    }
    // The selection's one field is the task's id: the last string of the frame (`…"<id>"}}}}`).
    let close = frameEnd - 1;
    while (close > dataAt && buf[close] === 0x7d) close--;
    let quote = close - 1;
    while (quote > dataAt && buf[quote] !== 0x22) quote--;
    if (buf[close] !== 0x22 || quote <= dataAt) return errors.push(buf.toString('utf8', start, Math.min(frameEnd, start + 200)));
    sub.count++;
    sub.hash = mix(sub.hash, buf, quote + 1, close);
    if (index === 0 && firstIds) {
      const id = buf.toString('latin1', quote + 1, close);
      if (firstIds.has(id)) firstDuplicates++;
      firstIds.add(id);
    }
  };
  const socketCount = Math.ceil(c.count / perSocket);
  // Opened 100 at a time: 10,000 sockets in seconds, without a connection storm.
  for (let from = 0; from < socketCount; from += 100) {
    const opened = await Promise.all(Array.from({ length: Math.min(100, socketCount - from) }, () => openSubscriber(c.url, c.token, onMessage)));
    opened.forEach((ws, i) => {
      const s = from + i;
      sockets.push(ws);
      for (let k = s * perSocket; k < Math.min(c.count, (s + 1) * perSocket); k++) {
        const index = base + k;
        subs[index] = { count: 0, hash: 0 };
        ws.sendText(JSON.stringify({ id: String(index), type: 'subscribe', payload: { query: c.query, variables: c.variables } }));
      }
    });
  }
  if (base === 0) firstIds = new Set();
}

function stats() {
  const counts = subs.map((s) => s.count);
  return {
    subscriptions: subs.length,
    frames: counts.reduce((a, b) => a + b, 0),
    minCount: counts.length ? Math.min(...counts) : 0,
    maxCount: counts.length ? Math.max(...counts) : 0,
    distinctHashes: new Set(subs.map((s) => s.hash)).size,
    firstDistinct: firstIds?.size ?? 0,
    firstDuplicates,
    lastMessageAt,
    errors: errors.slice(0, 5),
    rssMb: process.memoryUsage().rss / 1024 / 1024,
  };
}

function resetCounts(): void {
  for (const s of subs) {
    s.count = 0;
    s.hash = 0;
  }
  firstIds = new Set();
  firstDuplicates = 0;
  lastMessageAt = 0;
  errors = [];
}

// ---- idle workers: woken by taskReady, claim into their one free slot ----

const CLAIM = `mutation Claim($projectId: ID!, $workerId: String!) { claimTasks(projectId: $projectId, workerId: $workerId, limit: 1) { id } }`;
const COMPLETE = `mutation Complete($id: ID!, $workerId: String) { completeTask(id: $id, workerId: $workerId) { id } }`;
const workerCounters = { wakes: 0, claims: 0, claimed: 0, completed: 0 };

function post<T>(url: string, token: string, agent: http.Agent, query: string, variables: Record<string, unknown>): Promise<T> {
  const target = new URL(url);
  const body = JSON.stringify({ query, variables });
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${token}` },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => {
          const parsed = JSON.parse(Buffer.concat(chunks).toString()) as { data?: T; errors?: unknown[] };
          if (parsed.errors?.length || !parsed.data) reject(new Error(JSON.stringify(parsed.errors).slice(0, 300)));
          else resolve(parsed.data);
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * The worker protocol the README recommends, with one slot: claim at start; a wake-up claims into
 * the free slot; a wake-up that came while the slot was busy is owed a claim when it frees;
 * otherwise wait for the next wake-up (a real worker also polls now and then as a backstop).
 */
async function startWorkers(c: Extract<Command, { cmd: 'workers' }>): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 50 });
  const query = `subscription Ready($projectId: ID!) { taskReady(projectId: $projectId, delivery: ${c.delivery}) { id } }`;
  for (let w = 0; w < c.count; w++) {
    const workerId = `idle-${w}`;
    let busy = false;
    let owed = false;
    const work = async () => {
      busy = true;
      try {
        do {
          owed = false;
          workerCounters.claims++;
          const { claimTasks } = await post<{ claimTasks: { id: string }[] }>(c.url, c.token, agent, CLAIM, { projectId: c.projectId, workerId });
          if (claimTasks.length === 0) continue;
          workerCounters.claimed++;
          await post(c.url, c.token, agent, COMPLETE, { id: claimTasks[0]!.id, workerId });
          workerCounters.completed++;
        } while (owed);
      } catch (e) {
        errors.push(String(e).slice(0, 200));
      } finally {
        busy = false;
      }
    };
    const ws = await openWorkerSocket(c.url.replace(/^http/, 'ws'), c.token, (data) => {
      if (!data.includes('"type":"next"')) return;
      workerCounters.wakes++;
      if (busy) owed = true;
      else void work();
    });
    sockets.push({
      close: () => {
        ws.removeAllListeners('close'); // closed by us: not an error to report
        ws.terminate();
      },
    });
    ws.send(JSON.stringify({ id: `w${w}`, type: 'subscribe', payload: { query, variables: { projectId: c.projectId } } }));
  }
}

process.on('message', (raw) => {
  const c = raw as Command;
  void (async () => {
    try {
      if (c.cmd === 'subscribe') {
        await subscribe(c);
        send({ ok: true });
      } else if (c.cmd === 'stats') {
        send({ ok: true, stats: stats() });
      } else if (c.cmd === 'reset') {
        resetCounts();
        send({ ok: true });
      } else if (c.cmd === 'workers') {
        await startWorkers(c);
        send({ ok: true });
      } else if (c.cmd === 'workerStats') {
        send({ ok: true, stats: { ...workerCounters, errors: errors.slice(0, 5) } });
        Object.assign(workerCounters, { wakes: 0, claims: 0, claimed: 0, completed: 0 });
      } else if (c.cmd === 'close') {
        for (const ws of sockets.splice(0)) ws.close(); // closed by us: not an error to report
        subs.length = 0;
        resetCounts();
        send({ ok: true });
      }
    } catch (e) {
      send({ ok: false, error: String(e) });
    }
  })();
});
send({ ok: true, ready: true });

// Killed by the bench when done: exit normally, so node flags such as --cpu-prof write their files.
process.on('SIGTERM', () => process.exit(0));
