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
}

export function validateTaskInput(input: NewTaskInput): ValidTaskInput {
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
  };
}
