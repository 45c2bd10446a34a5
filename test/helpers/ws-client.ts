import WebSocket from 'ws';
import { Client, createClient } from 'graphql-ws';
import { AUTH_HEADERS } from './auth';

/** How the socket ended, as the client saw it. */
export interface Closed {
  code: number;
  reason: string;
}

export interface LiveClient {
  client: Client;
  /** The underlying ws socket once open (e.g. to `pause()` it: a consumer that stops reading). */
  socket(): WebSocket;
  /** Resolves with the close code and reason when the socket closes. */
  closed: Promise<Closed>;
  dispose(): Promise<void>;
}

/**
 * A graphql-ws client over `ws` (Node 20 has no global WebSocket), connected eagerly and never
 * retrying, so a test sees exactly one connection and its close code.
 */
export async function connectClient(wsUrl: string, connectionParams: Record<string, unknown> = { ...AUTH_HEADERS }): Promise<LiveClient> {
  let socket: WebSocket | null = null;
  let onClosed!: (c: Closed) => void;
  const closed = new Promise<Closed>((resolve) => (onClosed = resolve));
  let onConnected!: () => void;
  let onFailed!: (e: unknown) => void;
  const connected = new Promise<void>((resolve, reject) => ((onConnected = resolve), (onFailed = reject)));
  const client = createClient({
    url: wsUrl,
    connectionParams,
    webSocketImpl: WebSocket,
    lazy: false,
    retryAttempts: 0,
    // The close is reported through `closed`; the default would print every close as an error.
    onNonLazyError: () => {},
    on: {
      opened: (s) => (socket = s as WebSocket),
      connected: () => onConnected(),
      closed: (event) => {
        const e = event as { code: number; reason: unknown };
        onClosed({ code: e.code, reason: String(e.reason ?? '') });
        onFailed(new Error(`socket closed before connecting: ${e.code}`));
      },
      error: (e) => onFailed(e),
    },
  });
  await connected;
  return {
    client,
    socket: () => socket!,
    closed,
    async dispose() {
      await client.dispose();
    },
  };
}

export interface Collector<T> {
  events: T[];
  errors: unknown[];
  completed: boolean;
  /** Resolves once at least `n` events arrived (all of them so far), rejects after `timeoutMs`. */
  waitFor(n: number, timeoutMs?: number): Promise<T[]>;
  /** Resolves with whatever arrived after waiting `ms` (to assert that nothing more comes). */
  settle(ms: number): Promise<T[]>;
  unsubscribe(): void;
}

/**
 * Subscribes and collects every `next` payload's data[field] into `events`. The subscription is
 * registered on the server once the returned promise resolves: `ready` polls the server's
 * subscriber count, because graphql-ws gives no acknowledgement for a subscribe message.
 */
export async function collect<T = any>(
  live: LiveClient,
  query: string,
  variables: Record<string, unknown> = {},
  ready?: () => boolean | Promise<boolean>,
): Promise<Collector<T>> {
  const events: T[] = [];
  const errors: unknown[] = [];
  let waiters: Array<() => void> = [];
  const notify = () => {
    const w = waiters;
    waiters = [];
    for (const f of w) f();
  };
  const collector: Collector<T> = {
    events,
    errors,
    completed: false,
    waitFor(n, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters = waiters.filter((w) => w !== test);
          reject(new Error(`waited ${timeoutMs} ms for ${n} events, got ${events.length}: ${JSON.stringify(events).slice(0, 600)} errors: ${JSON.stringify(errors)}`));
        }, timeoutMs);
        const test = () => {
          if (events.length >= n) {
            clearTimeout(timer);
            resolve(events);
          } else if (errors.length || collector.completed) {
            clearTimeout(timer);
            reject(new Error(`subscription ended after ${events.length}/${n} events: ${JSON.stringify(errors)}`));
          } else waiters.push(test);
        };
        test();
      });
    },
    async settle(ms) {
      await new Promise((r) => setTimeout(r, ms));
      return events;
    },
    unsubscribe: () => {},
  };
  collector.unsubscribe = live.client.subscribe<Record<string, T>>(
    { query, variables },
    {
      next: (result) => {
        if (result.errors?.length) errors.push(...result.errors);
        else if (result.data) events.push(Object.values(result.data)[0]!);
        notify();
      },
      error: (e) => {
        errors.push(e);
        notify();
      },
      complete: () => {
        collector.completed = true;
        notify();
      },
    },
  );
  if (ready) await waitUntil(ready, 5_000, 'the subscription to be registered on the server');
  return collector;
}

export async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Subscriptions registered on a server, from its /healthz (works for child processes too). */
export async function subscriberCount(graphqlUrl: string): Promise<number> {
  const res = await fetch(graphqlUrl.replace(/\/graphql$/, '/healthz'));
  return ((await res.json()) as { subscribers: number }).subscribers;
}

/** The fields of a TaskStatusEvent the live tests look at. */
export const EVENT_FIELDS = 'cursor taskId projectId previousStatus status at task { id status }';

export interface StatusEvent {
  cursor: string;
  taskId: string;
  projectId: string;
  previousStatus: string | null;
  status: string;
  at: string;
  task: { id: string; status: string };
}

/** `taskStatusChanged` with the given arguments, resolved once the server has registered it. */
export async function watchStatus(
  live: LiveClient,
  graphqlUrl: string,
  args: { projectId?: string; taskIds?: string[]; statuses?: string[]; afterCursor?: string } = {},
  fields = EVENT_FIELDS,
): Promise<Collector<StatusEvent>> {
  const before = await subscriberCount(graphqlUrl);
  return collect<StatusEvent>(
    live,
    `subscription($p: ID, $t: [ID!], $s: [TaskStatus!], $a: String) {
       taskStatusChanged(projectId: $p, taskIds: $t, statuses: $s, afterCursor: $a) { ${fields} } }`,
    { p: args.projectId, t: args.taskIds, s: args.statuses, a: args.afterCursor },
    async () => (await subscriberCount(graphqlUrl)) > before,
  );
}

/** A compact form for comparing sequences: "taskId:PREVIOUS>STATUS". */
export function step(e: { taskId: string; previousStatus: string | null; status: string }): string {
  return `${e.taskId}:${e.previousStatus ?? 'null'}>${e.status}`;
}
