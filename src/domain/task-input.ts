import { BadInputError } from './errors';
import { RetryPolicy, validateRetryPolicy } from './retry-policy';

/** Limits that keep one request from filling the database or a worker's memory. */
export const LIMITS = Object.freeze({
  titleLength: 500,
  descriptionLength: 100_000,
  jsonBytes: 1_000_000,
  assignedToLength: 100,
  workerIdLength: 200,
  maxRetries: 100,
  batchSize: 1_000,
  dependencies: 1_000,
  /** delaySeconds: at most ten years ahead. */
  delaySeconds: 10 * 366 * 24 * 3600,
  /** timeoutSeconds: at most thirty days per attempt. */
  timeoutSeconds: 30 * 24 * 3600,
  idempotencyKeyLength: 200,
  concurrencyKeyLength: 200,
});

export const MIN_PRIORITY = 1;
export const MAX_PRIORITY = 10;
export const DEFAULT_PRIORITY = 5;
export const DEFAULT_MAX_RETRIES = 3;

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID_RE.test(value);
}

/** Ids are UUIDs; anything else cannot name a row, so it is refused before any query. */
export function assertId(value: string, field: string): string {
  if (!isUuid(value)) throw new BadInputError(`${field} must be a UUID, got "${value.slice(0, 60)}"`, { field });
  return value.toLowerCase();
}

export function assertPriority(value: number, field = 'priority'): number {
  if (!Number.isInteger(value) || value < MIN_PRIORITY || value > MAX_PRIORITY) {
    throw new BadInputError(`${field} must be a whole number from ${MIN_PRIORITY} to ${MAX_PRIORITY} (higher runs first), got ${value}`, { field });
  }
  return value;
}

export function assertJsonObject(value: unknown, field: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new BadInputError(`${field} must be a JSON object`, { field });
  }
  const size = Buffer.byteLength(JSON.stringify(value));
  if (size > LIMITS.jsonBytes) {
    throw new BadInputError(`${field} is ${size} bytes; the limit is ${LIMITS.jsonBytes} bytes. Store large payloads elsewhere and pass a reference.`, { field, size, limit: LIMITS.jsonBytes });
  }
  return value as Record<string, unknown>;
}

/** Any JSON value (a task result may be a string or a list), size-limited. */
export function assertJsonSize(value: unknown, field: string): void {
  const size = Buffer.byteLength(JSON.stringify(value) ?? '');
  if (size > LIMITS.jsonBytes) {
    throw new BadInputError(`${field} is ${size} bytes; the limit is ${LIMITS.jsonBytes} bytes`, { field, size, limit: LIMITS.jsonBytes });
  }
}

export function assertText(value: string, field: string, max: number, { allowEmpty = false } = {}): string {
  if (!allowEmpty && value.trim() === '') throw new BadInputError(`${field} must not be empty`, { field });
  if (value.length > max) throw new BadInputError(`${field} is ${value.length} characters; the limit is ${max}`, { field, limit: max });
  return value;
}

export function assertLeaseSeconds(value: number, max: number): number {
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new BadInputError(`leaseSeconds must be a whole number from 1 to ${max}, got ${value}`, { field: 'leaseSeconds' });
  }
  return value;
}

export interface NewTaskInput {
  projectId: string;
  title: string;
  description?: string | null;
  priority?: number | null;
  dependencies?: string[] | null;
  key?: string | null;
  dependencyKeys?: string[] | null;
  context?: Record<string, unknown> | null;
  metadata?: Record<string, unknown> | null;
  maxRetries?: number | null;
  assignedTo?: string | null;
  parentTaskId?: string | null;
  retryPolicy?: Partial<RetryPolicy> | null;
  /** Not before this time (Part 2). Exclusive with delaySeconds. */
  runAt?: Date | null;
  /** Not before now + this many seconds. Exclusive with runAt. */
  delaySeconds?: number | null;
  timeoutSeconds?: number | null;
  idempotencyKey?: string | null;
  concurrencyKey?: string | null;
}

/** A validated, normalised task input: defaults applied, ids lower-cased. */
export interface ValidTaskInput {
  projectId: string;
  title: string;
  description: string | null;
  priority: number;
  dependencies: string[];
  key: string | null;
  dependencyKeys: string[];
  context: Record<string, unknown>;
  metadata: Record<string, unknown>;
  maxRetries: number;
  assignedTo: string | null;
  parentTaskId: string | null;
  retryPolicy: Partial<RetryPolicy> | null;
  /** runAt, or now + delaySeconds; null when neither was given. */
  runAt: Date | null;
  timeoutSeconds: number | null;
  idempotencyKey: string | null;
  concurrencyKey: string | null;
}

/**
 * When the task may run: `runAt` as given, or `now + delaySeconds` (the clock is injected). Both
 * at once is refused rather than one silently winning.
 */
export function runAtOf(input: Pick<NewTaskInput, 'runAt' | 'delaySeconds'>, now: Date): Date | null {
  if (input.runAt != null && input.delaySeconds != null) {
    throw new BadInputError('give either runAt or delaySeconds, not both', { field: 'delaySeconds' });
  }
  if (input.delaySeconds != null) {
    const d = input.delaySeconds;
    if (!Number.isInteger(d) || d < 0 || d > LIMITS.delaySeconds) {
      throw new BadInputError(`delaySeconds must be a whole number from 0 to ${LIMITS.delaySeconds}, got ${d}`, { field: 'delaySeconds' });
    }
    return new Date(now.getTime() + d * 1000);
  }
  if (input.runAt != null) {
    if (!(input.runAt instanceof Date) || Number.isNaN(input.runAt.getTime())) throw new BadInputError('runAt must be a date and time', { field: 'runAt' });
    return input.runAt;
  }
  return null;
}

function optionalKey(value: string | null | undefined, field: string, max: number): string | null {
  if (value == null) return null;
  return assertText(value, field, max);
}

export function validateTaskInput(input: NewTaskInput, now: Date): ValidTaskInput {
  const maxRetries = input.maxRetries ?? DEFAULT_MAX_RETRIES;
  if (!Number.isInteger(maxRetries) || maxRetries < 0 || maxRetries > LIMITS.maxRetries) {
    throw new BadInputError(`maxRetries must be a whole number from 0 to ${LIMITS.maxRetries}, got ${maxRetries}`, { field: 'maxRetries' });
  }
  const dependencies = (input.dependencies ?? []).map((d) => assertId(d, 'dependencies'));
  if (dependencies.length > LIMITS.dependencies) throw new BadInputError(`a task may have at most ${LIMITS.dependencies} dependencies`);
  if (input.retryPolicy) {
    const problem = validateRetryPolicy(input.retryPolicy);
    if (problem) throw new BadInputError(`retryPolicy: ${problem}`, { field: 'retryPolicy' });
  }
  return {
    projectId: assertId(input.projectId, 'projectId'),
    title: assertText(input.title, 'title', LIMITS.titleLength).trim(),
    description: input.description == null ? null : assertText(input.description, 'description', LIMITS.descriptionLength, { allowEmpty: true }),
    priority: assertPriority(input.priority ?? DEFAULT_PRIORITY),
    dependencies: [...new Set(dependencies)],
    key: input.key ?? null,
    dependencyKeys: [...new Set(input.dependencyKeys ?? [])],
    context: input.context == null ? {} : assertJsonObject(input.context, 'context'),
    metadata: input.metadata == null ? {} : assertJsonObject(input.metadata, 'metadata'),
    maxRetries,
    assignedTo: input.assignedTo == null ? null : assertText(input.assignedTo, 'assignedTo', LIMITS.assignedToLength),
    parentTaskId: input.parentTaskId == null ? null : assertId(input.parentTaskId, 'parentTaskId'),
    retryPolicy: input.retryPolicy ?? null,
    runAt: runAtOf(input, now),
    timeoutSeconds: timeoutOf(input.timeoutSeconds),
    idempotencyKey: optionalKey(input.idempotencyKey, 'idempotencyKey', LIMITS.idempotencyKeyLength),
    concurrencyKey: optionalKey(input.concurrencyKey, 'concurrencyKey', LIMITS.concurrencyKeyLength),
  };
}

function timeoutOf(value: number | null | undefined): number | null {
  if (value == null) return null;
  if (!Number.isInteger(value) || value < 1 || value > LIMITS.timeoutSeconds) {
    throw new BadInputError(`timeoutSeconds must be a whole number from 1 to ${LIMITS.timeoutSeconds}, got ${value}`, { field: 'timeoutSeconds' });
  }
  return value;
}
