/**
 * updateTask's rules: which fields may change and how a metadata patch applies. Pure; the same
 * limits as createTask (src/domain/task-input.ts).
 */
import { BadInputError } from './errors';
import { assertJsonObject, assertText, LIMITS } from './task-input';

export interface TaskUpdateInput {
  title?: string | null;
  description?: string | null;
  context?: Record<string, unknown> | null;
  metadata?: Record<string, unknown> | null;
  assignedTo?: string | null;
  maxRetries?: number | null;
}

/** Only the fields to change are present; `null` clears a nullable field. */
export interface ValidTaskUpdate {
  title?: string;
  description?: string | null;
  context?: Record<string, unknown>;
  /** A patch, not the new object: see applyMetadataPatch. */
  metadataPatch?: Record<string, unknown>;
  assignedTo?: string | null;
  maxRetries?: number;
}

/** A field the task always has cannot be set to null: omitting it is how to keep it. */
function notNull<T>(value: T | null, field: string): T {
  if (value === null) throw new BadInputError(`${field} cannot be null; omit it to keep the current value`, { field });
  return value;
}

export function validateTaskUpdate(input: TaskUpdateInput): ValidTaskUpdate {
  const out: ValidTaskUpdate = {};
  if (input.title !== undefined) out.title = assertText(notNull(input.title, 'title'), 'title', LIMITS.titleLength).trim();
  if (input.description !== undefined) {
    out.description = input.description === null ? null : assertText(input.description, 'description', LIMITS.descriptionLength, { allowEmpty: true });
  }
  if (input.context !== undefined) out.context = assertJsonObject(notNull(input.context, 'context'), 'context');
  if (input.metadata !== undefined) out.metadataPatch = assertJsonObject(notNull(input.metadata, 'metadata'), 'metadata');
  if (input.assignedTo !== undefined) {
    out.assignedTo = input.assignedTo === null ? null : assertText(input.assignedTo, 'assignedTo', LIMITS.assignedToLength);
  }
  if (input.maxRetries !== undefined) {
    const maxRetries = notNull(input.maxRetries, 'maxRetries');
    if (!Number.isInteger(maxRetries) || maxRetries < 0 || maxRetries > LIMITS.maxRetries) {
      throw new BadInputError(`maxRetries must be a whole number from 0 to ${LIMITS.maxRetries}, got ${maxRetries}`, { field: 'maxRetries' });
    }
    out.maxRetries = maxRetries;
  }
  return out;
}

/**
 * Shallow merge: each key of the patch replaces the stored one, a key set to null is removed.
 * A merge rather than a replacement because the scheduler keeps its own facts in metadata
 * (reason, error, retryAt, cancelledAt …), which a client editing its own keys should not wipe
 * by accident. The result is size-checked like a new task's metadata.
 */
export function applyMetadataPatch(current: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return assertJsonObject(merged, 'metadata');
}
