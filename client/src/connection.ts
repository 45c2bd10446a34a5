import WebSocket from 'ws';
import { Client, createClient } from 'graphql-ws';
import { ConnectionLostError, GraphQLRequestError } from './errors';

export interface ConnectionOptions {
  /** ws(s)://…/graphql */
  url: string;
  authorization?: string;
  /** Called on every (re)connection, after the server acknowledged it. */
  onConnected?: (reconnected: boolean) => void;
  onClosed?: (event: { code: number; reason: string }) => void;
  onError?: (error: unknown) => void;
  /** Backoff between reconnection attempts (ms): base * 2^n, capped, with jitter. */
  retryBaseMs?: number;
  retryMaxMs?: number;
}

type Sink<T> = { next(value: T): void; error?(error: unknown): void };

/**
 * One graphql-ws socket that reconnects forever with backoff. Subscriptions are re-established
 * on every new socket (graphql-ws does that); one-off requests are NOT resent: a request whose
 * socket closed before the answer rejects with ConnectionLostError, so the caller decides (a
 * claim must not be silently replayed, a completion may be).
 */
export class Connection {
  private client: Client;
  private connectedOnce = false;
  private generation = 0;
  private readonly pending = new Set<(e: Error) => void>();
  private disposed = false;
  connected = false;

  constructor(private readonly options: ConnectionOptions) {
    this.client = this.create();
  }

  private create(): Client {
    const base = this.options.retryBaseMs ?? 250;
    const max = this.options.retryMaxMs ?? 5_000;
    const client = createClient({
      url: this.options.url,
      webSocketImpl: WebSocket,
      connectionParams: this.options.authorization ? { authorization: this.options.authorization } : {},
      lazy: false,
      retryAttempts: Number.POSITIVE_INFINITY,
      shouldRetry: () => true,
      retryWait: async (retries) => {
        const wait = Math.min(max, base * 2 ** Math.min(retries, 16));
        await new Promise((r) => setTimeout(r, wait / 2 + Math.random() * (wait / 2)));
      },
      keepAlive: 15_000,
      // graphql-ws gives up on some close codes whatever shouldRetry says (4400, 4401, 4500 …):
      // start a new client then, so the connection really is retried forever.
      onNonLazyError: (e) => {
        this.options.onError?.(e);
        if (this.disposed) return;
        setTimeout(() => {
          if (this.disposed) return;
          void client.dispose();
          this.client = this.create();
        }, max).unref();
      },
      on: {
        connected: () => {
          this.connected = true;
          this.generation++;
          const again = this.connectedOnce;
          this.connectedOnce = true;
          this.options.onConnected?.(again);
        },
        closed: (event) => {
          const wasConnected = this.connected;
          this.connected = false;
          for (const reject of [...this.pending]) reject(new ConnectionLostError());
          this.pending.clear();
          const e = event as { code?: number; reason?: unknown };
          if (wasConnected || !this.disposed) this.options.onClosed?.({ code: e.code ?? 0, reason: String(e.reason ?? '') });
        },
      },
    });
    return client;
  }

  /** A query or mutation over the socket. Rejects with GraphQLRequestError or ConnectionLostError. */
  request<T>(query: string, variables?: Record<string, unknown>): Promise<T> {
    if (this.disposed) return Promise.reject(new ConnectionLostError('connection closed'));
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      let result: T | undefined;
      const settle = (f: () => void) => {
        if (settled) return;
        settled = true;
        this.pending.delete(lost);
        f();
      };
      const lost = (e: Error) => settle(() => (dispose(), reject(e)));
      // Sent only on a live socket: a request made while disconnected waits for the next one and
      // then fails like any request caught by a drop (never replayed on a later socket).
      this.pending.add(lost);
      const dispose = this.client.subscribe<T>(
        { query, variables },
        {
          next: (value) => {
            if (value.errors?.length) {
              const errors = value.errors as unknown as GraphQLRequestError['errors'];
              settle(() => reject(new GraphQLRequestError(errors.map((x) => x.message).join('; '), errors)));
            } else result = value.data as T;
          },
          error: (e) => {
            if (Array.isArray(e)) settle(() => reject(new GraphQLRequestError(e.map((x: { message: string }) => x.message).join('; '), e)));
            else settle(() => reject(e instanceof Error ? e : new ConnectionLostError(`request failed: ${describeClose(e)}`)));
          },
          complete: () => settle(() => (result === undefined ? reject(new ConnectionLostError()) : resolve(result))),
        },
      );
    });
  }

  /** A subscription, re-established after every reconnection; returns the unsubscribe function. */
  subscribe<T>(query: string, variables: Record<string, unknown>, sink: Sink<T>): () => void {
    let active = true;
    let dispose: () => void = () => {};
    const start = () => {
      dispose = this.client.subscribe<T>(
        { query, variables },
        {
          next: (value) => {
            if (value.errors?.length) {
              const errors = value.errors as unknown as GraphQLRequestError['errors'];
              sink.error?.(new GraphQLRequestError(errors.map((x) => x.message).join('; '), errors));
            } else if (value.data) sink.next(value.data as T);
          },
          error: (e) => {
            sink.error?.(Array.isArray(e) ? new GraphQLRequestError('subscription refused', e) : e);
            // A refused or broken subscription is tried again, unless it was given up.
            if (active && !this.disposed) setTimeout(() => active && !this.disposed && start(), 1_000).unref();
          },
          complete: () => {
            if (active && !this.disposed) setTimeout(() => active && !this.disposed && start(), 100).unref();
          },
        },
      );
    };
    start();
    return () => {
      active = false;
      dispose();
    };
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    for (const reject of [...this.pending]) reject(new ConnectionLostError('connection closed'));
    this.pending.clear();
    await this.client.dispose();
  }
}

function describeClose(e: unknown): string {
  const c = e as { code?: number; reason?: string; message?: string };
  if (c && typeof c.code === 'number') return `socket closed (${c.code}${c.reason ? ` ${c.reason}` : ''})`;
  return String(c?.message ?? e);
}
