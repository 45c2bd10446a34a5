import { createClient, Client, ExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';
import { GqlError, GqlTransport } from './operations';
import { BENCH_AUTHORIZATION } from './auth';

/**
 * GraphQL over one persistent graphql-ws connection: mutations are `subscribe()` calls that
 * complete after one result. Node 20 has no global WebSocket, hence `webSocketImpl` from 'ws'.
 */
export class WsGql implements GqlTransport {
  private constructor(private readonly client: Client) {}

  static async connect(url: string): Promise<WsGql> {
    let onConnected!: () => void;
    let onFailed!: (e: unknown) => void;
    const connected = new Promise<void>((resolve, reject) => {
      onConnected = resolve;
      onFailed = reject;
    });
    const client = createClient({
      url,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: BENCH_AUTHORIZATION },
      lazy: false,
      retryAttempts: 0,
      on: { connected: () => onConnected(), error: (e) => onFailed(e) },
      onNonLazyError: (e) => onFailed(e),
    });
    await connected;
    return new WsGql(client);
  }

  request<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let result: ExecutionResult<T> | undefined;
      this.client.subscribe<T>(
        { query, variables },
        {
          next: (r) => (result = r as ExecutionResult<T>),
          error: (e) => reject(asError(e)),
          complete: () => {
            if (!result) return reject(new Error('graphql-ws: completed without a result'));
            if (result.errors?.length) return reject(new GqlError(result.errors as never));
            resolve(result.data as T);
          },
        },
      );
    });
  }

  /** A live subscription; `onData` runs for every event. Returns the unsubscribe function. */
  subscribe<T>(query: string, variables: Record<string, unknown>, onData: (data: T) => void, onError: (e: unknown) => void): () => void {
    return this.client.subscribe<T>(
      { query, variables },
      {
        next: (r) => {
          if (r.errors?.length) onError(new GqlError(r.errors as never));
          else if (r.data) onData(r.data as T);
        },
        error: (e) => onError(asError(e)),
        complete: () => {},
      },
    );
  }

  async close(): Promise<void> {
    await this.client.dispose();
  }
}

/** graphql-ws reports GraphQL errors as arrays and a lost socket as a CloseEvent: make both Errors. */
function asError(e: unknown): Error {
  if (e instanceof Error) return e;
  if (Array.isArray(e)) return new GqlError(e);
  const close = e as { code?: number; reason?: string };
  if (typeof close?.code === 'number') return new Error(`graphql-ws connection closed: ${close.code} ${close.reason ?? ''}`.trim());
  return new Error(String(e));
}
