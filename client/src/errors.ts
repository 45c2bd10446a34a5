/** An error the server answered with: `code` is its `extensions.code` (LEASE_NOT_HELD, BAD_USER_INPUT, …). */
export class GraphQLRequestError extends Error {
  readonly code: string;
  constructor(
    message: string,
    readonly errors: ReadonlyArray<{ message: string; path?: ReadonlyArray<string | number>; extensions?: Record<string, unknown> }>,
  ) {
    super(message);
    this.name = 'GraphQLRequestError';
    this.code = String(errors[0]?.extensions?.code ?? 'UNKNOWN');
  }
  get extensions(): Record<string, unknown> {
    return this.errors[0]?.extensions ?? {};
  }
}

/** The connection dropped before the server answered: the request may or may not have run. */
export class ConnectionLostError extends Error {
  constructor(message = 'connection to the server lost before it answered') {
    super(message);
    this.name = 'ConnectionLostError';
  }
}

/** Throw from a handler to fail the task without retries (failTask with retryable: false). */
export class NonRetryableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NonRetryableError';
  }
}

/** ctx.signal's reason when the worker no longer holds the task's lease (expired, re-claimed, stale attempt). */
export class LeaseLostError extends Error {
  constructor(readonly taskId: string) {
    super(`lease on task ${taskId} lost`);
    this.name = 'LeaseLostError';
  }
}

/** ctx.signal's reason when the task was cancelled while it ran. */
export class TaskCancelledError extends Error {
  constructor(readonly taskId: string) {
    super(`task ${taskId} was cancelled`);
    this.name = 'TaskCancelledError';
  }
}

/** ctx.signal's reason when the task ran longer than its timeoutSeconds. */
export class TaskTimeoutError extends Error {
  constructor(readonly taskId: string, seconds: number) {
    super(`task ${taskId} timed out after ${seconds} s`);
    this.name = 'TaskTimeoutError';
  }
}

/** ctx.signal's reason when the worker shuts down and the grace period is over. */
export class WorkerShutdownError extends Error {
  constructor() {
    super('worker shutting down');
    this.name = 'WorkerShutdownError';
  }
}

/** A server answer that is final for a task's result: resending cannot help. */
export function isFinalRefusal(e: unknown): e is GraphQLRequestError {
  return e instanceof GraphQLRequestError && ['LEASE_NOT_HELD', 'INVALID_TRANSITION', 'TASK_NOT_FOUND', 'BAD_USER_INPUT', 'FORBIDDEN'].includes(e.code);
}
