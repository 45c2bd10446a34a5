/**
 * The live feed: `taskStatusChanged` over graphql-ws, resumable by cursor.
 *
 * The graphql-ws client reconnects forever (`retryAttempts: Infinity`, capped backoff) and, after
 * a reconnect, re-sends every active subscription with the payload object it was given. That
 * object is serialised at send time, so we keep `variables.afterCursor` in it equal to the last
 * cursor we applied: the automatic resubscription then asks the server to replay exactly what we
 * missed. If the server ends the subscription itself, `onEnded` says whether it can resume
 * from the cursor (the stream completed, or the socket closed with a fatal code) or must start
 * over (the server answered with GraphQL errors, say the cursor is older than the event log
 * keeps): the dashboard then reloads the project and subscribes afresh.
 */
import { createClient, type Client } from 'graphql-ws';
import { tokenRefused, wsConnectionParams } from '../shared/auth-token';
import { graphqlWsUrl } from '../shared/endpoints';
import { TASK_STATUS_SUBSCRIPTION, type TaskStatusEvent } from './api';
import type { ConnectionState } from './hooks';

export interface FeedHandlers {
  onEvent(event: TaskStatusEvent): void;
  /** The socket came back; events missed meanwhile are being replayed from `afterCursor`. */
  onReconnected(afterCursor: string | null): void;
  /**
   * The server ended the subscription. `resumeFrom`: subscribe again after this cursor;
   * null: the cursor cannot be trusted, reload the snapshot and subscribe afresh.
   */
  onEnded(reason: string, resumeFrom: string | null): void;
}

export interface Feed {
  readonly lastCursor: string | null;
  dispose(): void;
}

const RETRY_CAP_MS = 5_000;

/**
 * Orders two event cursors when their form allows it, else null (opaque: cannot tell).
 * Decimal strings compare as numbers; equal-length strings of digits and dashes (this server's
 * zero-padded `txid-id`) compare as plain strings.
 */
export function compareCursors(a: string, b: string): number | null {
  if (a === b) return 0;
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) {
    const x = BigInt(a), y = BigInt(b);
    return x < y ? -1 : 1;
  }
  if (a.length === b.length && /^[\d-]+$/.test(a) && /^[\d-]+$/.test(b)) return a < b ? -1 : 1;
  return null;
}

export class LiveConnection {
  readonly client: Client;
  private state: ConnectionState = 'connecting';
  private readonly reconnectListeners = new Set<() => void>();

  constructor(private readonly onState: (state: ConnectionState) => void) {
    this.client = createClient({
      url: graphqlWsUrl(),
      connectionParams: wsConnectionParams,
      lazy: true,
      lazyCloseTimeout: 2_000, // switching projects does not drop the socket
      keepAlive: 15_000,
      retryAttempts: Infinity,
      shouldRetry: () => true,
      retryWait: (retries) =>
        new Promise((resolve) => setTimeout(resolve, Math.min(RETRY_CAP_MS, 250 * 2 ** retries) + Math.random() * 250)),
      on: {
        connecting: (isRetry) => this.setState(isRetry ? 'reconnecting' : 'connecting'),
        connected: (_socket, _payload, wasRetry) => {
          this.setState('live');
          if (wasRetry) for (const listener of this.reconnectListeners) listener();
        },
        closed: (event) => {
          // 4403: the token was refused (revoked, expired): sign in again.
          if ((event as CloseEvent | undefined)?.code === 4403) tokenRefused((event as CloseEvent).reason || 'the WebSocket was closed with 4403');
          if (this.state === 'live') this.setState('reconnecting');
        },
      },
    });
  }

  get connectionState(): ConnectionState {
    return this.state;
  }

  private setState(state: ConnectionState): void {
    if (state === this.state) return;
    this.state = state;
    this.onState(state);
  }

  /** Waits until the socket is open (or `timeoutMs` passes): the subscription is then on its way. */
  whenLive(timeoutMs: number): Promise<void> {
    if (this.state === 'live') return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      const off = this.client.on('connected', done);
      function done() {
        clearTimeout(timer);
        off();
        resolve();
      }
    });
  }

  subscribe(projectId: string, afterCursor: string | null, handlers: FeedHandlers): Feed {
    const variables: { projectId: string; afterCursor: string | null } = { projectId, afterCursor };
    const payload = { query: TASK_STATUS_SUBSCRIPTION, operationName: 'DashboardTaskStatus', variables };
    let disposed = false;

    const onReconnect = () => {
      if (!disposed) handlers.onReconnected(variables.afterCursor);
    };
    this.reconnectListeners.add(onReconnect);

    const dispose = this.client.subscribe<{ taskStatusChanged: TaskStatusEvent }>(payload, {
      next: (result) => {
        if (disposed) return;
        if (result.errors?.length) {
          console.warn('taskStatusChanged:', result.errors.map((e) => e.message).join('; '));
        }
        const event = result.data?.taskStatusChanged;
        if (!event) return;
        const last = variables.afterCursor;
        if (last !== null && (compareCursors(event.cursor, last) ?? 1) <= 0) return; // replayed twice
        variables.afterCursor = event.cursor; // read by graphql-ws when it resubscribes
        handlers.onEvent(event);
      },
      error: (err) => {
        if (disposed) return;
        const message = Array.isArray(err)
          ? err.map((e: { message?: string }) => e.message).join('; ')
          : err instanceof Error ? err.message : `connection closed (${(err as CloseEvent)?.code ?? 'unknown'})`;
        console.warn('taskStatusChanged ended:', message);
        const resumeFrom = Array.isArray(err) ? null : variables.afterCursor;
        feed.dispose();
        handlers.onEnded(message, resumeFrom);
      },
      complete: () => {
        if (disposed) return;
        // The server ended the stream (e.g. shutting down): start again from the last cursor.
        const resumeFrom = variables.afterCursor;
        feed.dispose();
        handlers.onEnded('subscription completed by the server', resumeFrom);
      },
    });

    const feed: Feed = {
      get lastCursor() {
        return variables.afterCursor;
      },
      dispose: () => {
        if (disposed) return;
        disposed = true;
        this.reconnectListeners.delete(onReconnect);
        dispose();
      },
    };
    return feed;
  }
}
