/**
 * Retry policy as a value (after Temporal's RetryPolicy): pure functions over plain data, the
 * clock and the random source injected.
 */
export interface RetryPolicy {
  /** Delay before the first retry, seconds. */
  initialDelaySeconds: number;
  backoffCoefficient: number;
  maxDelaySeconds: number;
  /** 0..1: the delay is spread uniformly over ±jitter × delay. 0 = deterministic. */
  jitter: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  initialDelaySeconds: 60,
  backoffCoefficient: 2,
  maxDelaySeconds: 3600,
  jitter: 0,
});

/**
 * Errors whose message mentions one of these are not retried when the caller does not say
 * (the origin's rule): retrying cannot fix bad input or missing rights.
 */
export const NON_RETRYABLE_ERROR_MARKERS = ['validation', 'authentication', 'not found', 'invalid', 'permission denied'];

export function isRetryableError(message: string): boolean {
  const lower = message.toLowerCase();
  return !NON_RETRYABLE_ERROR_MARKERS.some((marker) => lower.includes(marker));
}

/** Delay before the retry that follows `retryCount` earlier attempts: 60, 120, 240, 480 … capped. */
export function backoffSeconds(retryCount: number, policy: RetryPolicy = DEFAULT_RETRY_POLICY, random: () => number = Math.random): number {
  const raw = policy.initialDelaySeconds * Math.pow(policy.backoffCoefficient, retryCount);
  const capped = Math.min(raw, policy.maxDelaySeconds);
  if (policy.jitter <= 0) return capped;
  const spread = capped * policy.jitter;
  return Math.max(0, capped - spread + random() * 2 * spread);
}

export type FailureOutcome =
  | { kind: 'retry'; retryCount: number; retryAt: Date; priority: number }
  | { kind: 'fail'; reason: 'not_retryable' | 'max_retries_reached' };

/**
 * What a failure leads to: RETRYING with one more attempt counted, a backoff and the priority
 * lowered by one (not below 1), or FAILED for good.
 */
export function decideFailure(args: {
  retryCount: number;
  maxRetries: number;
  priority: number;
  error: string;
  retryable?: boolean | null;
  policy?: RetryPolicy;
  now: Date;
  random?: () => number;
}): FailureOutcome {
  const retryable = args.retryable ?? isRetryableError(args.error);
  if (!retryable) return { kind: 'fail', reason: 'not_retryable' };
  if (args.retryCount >= args.maxRetries) return { kind: 'fail', reason: 'max_retries_reached' };
  const delay = backoffSeconds(args.retryCount, args.policy ?? DEFAULT_RETRY_POLICY, args.random);
  return {
    kind: 'retry',
    retryCount: args.retryCount + 1,
    retryAt: new Date(args.now.getTime() + delay * 1000),
    priority: Math.max(1, args.priority - 1),
  };
}

export function validateRetryPolicy(policy: Partial<RetryPolicy>): string | null {
  const p = { ...DEFAULT_RETRY_POLICY, ...policy };
  if (!(p.initialDelaySeconds >= 0 && p.initialDelaySeconds <= 86_400 * 7)) return 'initialDelaySeconds must be between 0 and 604800';
  if (!(p.backoffCoefficient >= 1 && p.backoffCoefficient <= 10)) return 'backoffCoefficient must be between 1 and 10';
  if (!(p.maxDelaySeconds >= p.initialDelaySeconds && p.maxDelaySeconds <= 86_400 * 30)) return 'maxDelaySeconds must be at least initialDelaySeconds and at most 2592000';
  if (!(p.jitter >= 0 && p.jitter <= 1)) return 'jitter must be between 0 and 1';
  return null;
}
