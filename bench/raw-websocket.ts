import http from 'node:http';
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';

/**
 * The smallest WebSocket client the Live workload's subscribers can use: the handshake over
 * node:http, masked text frames out, and frames in parsed where they lie in the socket's chunks,
 * handed to the caller as (buffer, start, end) without a copy or a string. With `ws`, receiving
 * 500 subscribers' frames cost the load generator more CPU than the server spent sending them,
 * on the same two cores; what stands in for clients on other machines should cost as little as
 * it can. Answers pings; reports close frames and anything it does not expect (fragmented or
 * masked frames from the server, which ours never sends) as errors.
 */
export class RawWebSocket {
  private rest: Buffer | null = null;
  private closed = false;

  private constructor(
    private readonly socket: Socket,
    private readonly onData: () => void,
    private readonly onText: (buf: Buffer, start: number, end: number) => void,
    private readonly onError: (message: string) => void,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', (e) => this.onError(`socket error: ${e.message}`));
    socket.on('close', () => {
      if (!this.closed) this.onError('socket closed by the server');
    });
  }

  /** Opens `url` with the graphql-transport-ws subprotocol; `onData` runs once per chunk read, before its frames. */
  static open(url: string, onData: () => void, onText: (buf: Buffer, start: number, end: number) => void, onError: (message: string) => void): Promise<RawWebSocket> {
    const target = new URL(url.replace(/^ws/, 'http'));
    return new Promise((resolve, reject) => {
      const req = http.request({
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        headers: {
          Connection: 'Upgrade',
          Upgrade: 'websocket',
          'Sec-WebSocket-Version': '13',
          'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
          'Sec-WebSocket-Protocol': 'graphql-transport-ws',
        },
      });
      req.on('upgrade', (res, socket: Socket, head: Buffer) => {
        if (res.headers['sec-websocket-protocol'] !== 'graphql-transport-ws') {
          socket.destroy();
          return reject(new Error(`no graphql-transport-ws in the handshake: ${JSON.stringify(res.headers)}`));
        }
        const ws = new RawWebSocket(socket, onData, onText, onError);
        if (head.length > 0) ws.receive(head);
        resolve(ws);
      });
      req.on('response', (res) => reject(new Error(`upgrade refused: HTTP ${res.statusCode}`)));
      req.on('error', reject);
      req.end();
    });
  }

  sendText(text: string): void {
    this.sendFrame(0x1, Buffer.from(text));
  }

  close(): void {
    this.closed = true;
    this.socket.destroy();
  }

  /** Client frames are masked (RFC 6455 5.3). */
  private sendFrame(opcode: number, payload: Buffer): void {
    const n = payload.length;
    const headerLength = n < 126 ? 2 : n < 65_536 ? 4 : 10;
    const frame = Buffer.allocUnsafe(headerLength + 4 + n);
    frame[0] = 0x80 | opcode;
    if (n < 126) frame[1] = 0x80 | n;
    else if (n < 65_536) {
      frame[1] = 0x80 | 126;
      frame.writeUInt16BE(n, 2);
    } else {
      frame[1] = 0x80 | 127;
      frame.writeBigUInt64BE(BigInt(n), 2);
    }
    const mask = randomBytes(4);
    mask.copy(frame, headerLength);
    for (let i = 0; i < n; i++) frame[headerLength + 4 + i] = payload[i]! ^ mask[i & 3]!;
    this.socket.write(frame);
  }

  private receive(chunk: Buffer): void {
    this.onData();
    let buf = chunk;
    if (this.rest) {
      buf = Buffer.concat([this.rest, chunk]);
      this.rest = null;
    }
    let at = 0;
    while (buf.length - at >= 2) {
      const b0 = buf[at]!;
      const b1 = buf[at + 1]!;
      let length = b1 & 0x7f;
      let start = at + 2;
      if (length === 126) {
        if (buf.length - at < 4) break;
        length = buf.readUInt16BE(at + 2);
        start = at + 4;
      } else if (length === 127) {
        if (buf.length - at < 10) break;
        length = Number(buf.readBigUInt64BE(at + 2));
        start = at + 10;
      }
      const end = start + length;
      if (end > buf.length) break;
      at = end;
      const opcode = b0 & 0x0f;
      if ((b0 & 0x80) === 0 || (b1 & 0x80) !== 0) this.onError(`unexpected frame from the server: ${b0} ${b1}`);
      else if (opcode === 0x1) this.onText(buf, start, end);
      else if (opcode === 0x9) this.sendFrame(0xa, buf.subarray(start, end));
      else if (opcode === 0x8) {
        const code = length >= 2 ? buf.readUInt16BE(start) : 1005;
        if (!this.closed) this.onError(`socket closed ${code} ${buf.toString('utf8', start + 2, end)}`);
        this.close();
        return;
      }
    }
    if (at < buf.length) this.rest = Buffer.from(buf.subarray(at));
  }
}
