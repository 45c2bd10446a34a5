import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/** What every log line written while serving a request carries (src/logger.ts reads it). */
export interface RequestContext {
  requestId: string;
  operation?: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

/**
 * Runs `work` as part of a request: every log line written inside it, however deep and across
 * awaits, carries the request id (the caller's `x-request-id` when it sends a sane one, else a
 * new one) and, once known, the operation name.
 */
export function runInRequest<T>(requestId: string | undefined, work: () => T): T {
  const id = requestId && /^[\w.:-]{1,128}$/.test(requestId) ? requestId : randomUUID();
  return storage.run({ requestId: id }, work);
}

export function currentRequest(): RequestContext | undefined {
  return storage.getStore();
}
