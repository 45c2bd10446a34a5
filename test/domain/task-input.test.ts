import { describe, expect, it } from 'vitest';
import { BadInputError } from '../../src/domain/errors';
import {
  assertId,
  assertJsonObject,
  assertJsonSize,
  assertLeaseSeconds,
  assertPriority,
  assertText,
  isUuid,
  LIMITS,
  NewTaskInput,
  runAtOf,
  validateTaskInput,
} from '../../src/domain/task-input';

/**
 * createTask's input rules (and the checks every mutation shares): each refused input is a
 * BAD_USER_INPUT naming the field, with a message a client can act on. The GraphQL tests show
 * these reach the client; here every rule and boundary is pinned without a database.
 */

const now = new Date('2026-12-03T12:00:00.000Z');
const PROJECT = '0b5e8a34-1c2d-4e5f-8a9b-0c1d2e3f4a5b';
const DEP_A = '11111111-2222-4333-8444-555555555555';
const DEP_B = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';

/** The BadInputError `fn` throws; fails the test when it throws nothing or something else. */
function refusal(fn: () => unknown): BadInputError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(BadInputError);
    expect((e as BadInputError).code).toBe('BAD_USER_INPUT');
    return e as BadInputError;
  }
  throw new Error('expected a BadInputError, nothing was thrown');
}

const valid = (over: Partial<NewTaskInput> = {}) => validateTaskInput({ projectId: PROJECT, title: 'fetch data', ...over }, now);

describe('ids', () => {
  it('accepts a UUID in either case and returns it lower-cased', () => {
    expect(isUuid(DEP_A)).toBe(true);
    expect(assertId('AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE', 'id')).toBe(DEP_B);
  });

  it('refuses anything that is not exactly a UUID (wrong group lengths, non-hex, extra text)', () => {
    for (const bad of [
      '',
      '42',
      `${DEP_A}x`,
      `x${DEP_A}`,
      ` ${DEP_A}`,
      '1111111-2222-4333-8444-555555555555', // 7 hex digits first
      '111111111-2222-4333-8444-555555555555', // 9
      '11111111-222-4333-8444-555555555555',
      '11111111-2222-433-8444-555555555555',
      '11111111-2222-4333-844-555555555555',
      '11111111-2222-4333-8444-55555555555', // 11 in the last group
      '11111111-2222-4333-8444-5555555555555', // 13
      'g1111111-2222-4333-8444-555555555555',
      '11111111-g222-4333-8444-555555555555',
      '11111111-2222-g333-8444-555555555555',
      '11111111-2222-4333-g444-555555555555',
      '11111111-2222-4333-8444-g55555555555',
      '11111111_2222_4333_8444_555555555555',
    ]) {
      expect(isUuid(bad), bad).toBe(false);
    }
  });

  it('names the field and quotes at most 60 characters of what was sent', () => {
    const e = refusal(() => assertId('nope', 'dependsOn'));
    expect(e.message).toBe('dependsOn must be a UUID, got "nope"');
    expect(e.extensions).toEqual({ field: 'dependsOn' });
    expect(refusal(() => assertId('y'.repeat(500), 'id')).message).toBe(`id must be a UUID, got "${'y'.repeat(60)}"`);
  });
});

describe('priority', () => {
  it('accepts whole numbers from 1 to 10', () => {
    for (const p of [1, 5, 10]) expect(assertPriority(p)).toBe(p);
  });

  it('refuses 0, 11, fractions and NaN with the range in the message', () => {
    for (const p of [0, 11, -3, 5.5, Number.NaN]) {
      const e = refusal(() => assertPriority(p));
      expect(e.message).toBe(`priority must be a whole number from 1 to 10 (higher runs first), got ${p}`);
      expect(e.extensions).toEqual({ field: 'priority' });
    }
    expect(refusal(() => assertPriority(0, 'limit')).extensions).toEqual({ field: 'limit' });
  });
});

describe('JSON objects (context, metadata)', () => {
  it('refuses null, lists and scalars', () => {
    for (const v of [null, [], [1], 'text', 3, true, undefined]) {
      const e = refusal(() => assertJsonObject(v, 'context'));
      expect(e.message).toBe('context must be a JSON object');
      expect(e.extensions).toEqual({ field: 'context' });
    }
  });

  it('accepts up to 1,000,000 bytes of JSON, counting bytes rather than characters', () => {
    // {"a":"…"} is 8 bytes around the string.
    const atLimit = { a: 'x'.repeat(LIMITS.jsonBytes - 8) };
    expect(assertJsonObject(atLimit, 'metadata')).toBe(atLimit);
    const over = { a: 'x'.repeat(LIMITS.jsonBytes - 7) };
    const e = refusal(() => assertJsonObject(over, 'metadata'));
    expect(e.message).toBe('metadata is 1000001 bytes; the limit is 1000000 bytes. Store large payloads elsewhere and pass a reference.');
    expect(e.extensions).toEqual({ field: 'metadata', size: 1_000_001, limit: 1_000_000 });
    // "é" is one character but two bytes.
    expect(refusal(() => assertJsonObject({ a: 'é'.repeat(500_000) }, 'metadata')).extensions.size).toBe(1_000_008);
  });

  it('a task result may be any JSON value, also size-limited', () => {
    for (const v of [undefined, null, 'done', 42, [1, 2], { rows: 42 }]) expect(() => assertJsonSize(v, 'result')).not.toThrow();
    expect(() => assertJsonSize('x'.repeat(LIMITS.jsonBytes - 2), 'result')).not.toThrow(); // the quotes count
    const e = refusal(() => assertJsonSize('x'.repeat(LIMITS.jsonBytes - 1), 'result'));
    expect(e.message).toBe('result is 1000001 bytes; the limit is 1000000 bytes');
    expect(e.extensions).toEqual({ field: 'result', size: 1_000_001, limit: 1_000_000 });
  });
});

describe('text fields', () => {
  it('refuses empty or blank text unless allowed', () => {
    for (const v of ['', '   ', '\n\t']) {
      const e = refusal(() => assertText(v, 'workerId', 10));
      expect(e.message).toBe('workerId must not be empty');
      expect(e.extensions).toEqual({ field: 'workerId' });
      expect(assertText(v, 'message', 10, { allowEmpty: true })).toBe(v);
    }
  });

  it('accepts up to the limit and refuses one character more, returning the text untrimmed', () => {
    expect(assertText(' abc ', 'name', 5)).toBe(' abc ');
    const e = refusal(() => assertText('abcdef', 'name', 5));
    expect(e.message).toBe('name is 6 characters; the limit is 5');
    expect(e.extensions).toEqual({ field: 'name', limit: 5 });
    expect(() => assertText('abcdef', 'name', 5, { allowEmpty: true })).toThrow('name is 6 characters');
  });
});

describe('leaseSeconds', () => {
  it('accepts whole seconds from 1 to the configured maximum', () => {
    expect(assertLeaseSeconds(1, 300)).toBe(1);
    expect(assertLeaseSeconds(300, 300)).toBe(300);
  });

  it('refuses 0, more than the maximum and fractions', () => {
    for (const v of [0, -1, 301, 1.5]) {
      const e = refusal(() => assertLeaseSeconds(v, 300));
      expect(e.message).toBe(`leaseSeconds must be a whole number from 1 to 300, got ${v}`);
      expect(e.extensions).toEqual({ field: 'leaseSeconds' });
    }
  });
});

describe('runAt and delaySeconds', () => {
  it('delaySeconds may be up to ten years (of 366 days)', () => {
    expect(LIMITS.delaySeconds).toBe(316_224_000);
    expect(runAtOf({ delaySeconds: LIMITS.delaySeconds }, now)).toEqual(new Date(now.getTime() + 316_224_000_000));
    const e = refusal(() => runAtOf({ delaySeconds: LIMITS.delaySeconds + 1 }, now));
    expect(e.message).toBe('delaySeconds must be a whole number from 0 to 316224000, got 316224001');
    expect(e.extensions).toEqual({ field: 'delaySeconds' });
  });

  it('refuses both at once, naming delaySeconds', () => {
    const e = refusal(() => runAtOf({ runAt: now, delaySeconds: 0 }, now));
    expect(e.message).toBe('give either runAt or delaySeconds, not both');
    expect(e.extensions).toEqual({ field: 'delaySeconds' });
    // null is "not given", for either.
    expect(runAtOf({ runAt: null, delaySeconds: 5 }, now)).toEqual(new Date('2026-12-03T12:00:05.000Z'));
    expect(runAtOf({ runAt: now, delaySeconds: null }, now)).toBe(now);
  });

  it('refuses an invalid date or a value that is not a date', () => {
    for (const runAt of [new Date('not a date'), '2026-12-03T12:00:00Z' as unknown as Date]) {
      const e = refusal(() => runAtOf({ runAt }, now));
      expect(e.message).toBe('runAt must be a date and time');
      expect(e.extensions).toEqual({ field: 'runAt' });
    }
  });
});

describe('validateTaskInput', () => {
  it('applies the defaults of DESIGN.md', () => {
    expect(valid()).toEqual({
      projectId: PROJECT,
      title: 'fetch data',
      description: null,
      priority: 5,
      dependencies: [],
      key: null,
      dependencyKeys: [],
      context: {},
      metadata: {},
      maxRetries: 3,
      assignedTo: null,
      parentTaskId: null,
      retryPolicy: null,
      runAt: null,
      timeoutSeconds: null,
      idempotencyKey: null,
      concurrencyKey: null,
    });
  });

  it('keeps what was given: trimmed title, lower-cased ids, deduplicated dependencies and keys', () => {
    const retryPolicy = { initialDelaySeconds: 5 };
    const out = valid({
      projectId: PROJECT.toUpperCase(),
      title: '  train model  ',
      description: '',
      priority: 9,
      dependencies: [DEP_A, DEP_B.toUpperCase(), DEP_B],
      key: 'train',
      dependencyKeys: ['fetch', 'clean', 'fetch'],
      context: { url: 'u' },
      metadata: { deadline: '2030-01-01T00:00:00Z' },
      maxRetries: 0,
      assignedTo: 'gpu',
      parentTaskId: DEP_A.toUpperCase(),
      retryPolicy,
      delaySeconds: 60,
      timeoutSeconds: 300,
      idempotencyKey: 'invoice-1042',
      concurrencyKey: 'stripe-api',
    });
    expect(out).toEqual({
      projectId: PROJECT,
      title: 'train model',
      description: '',
      priority: 9,
      dependencies: [DEP_A, DEP_B],
      key: 'train',
      dependencyKeys: ['fetch', 'clean'],
      context: { url: 'u' },
      metadata: { deadline: '2030-01-01T00:00:00Z' },
      maxRetries: 0,
      assignedTo: 'gpu',
      parentTaskId: DEP_A,
      retryPolicy,
      runAt: new Date('2026-12-03T12:01:00.000Z'),
      timeoutSeconds: 300,
      idempotencyKey: 'invoice-1042',
      concurrencyKey: 'stripe-api',
    });
  });

  it('refuses a bad projectId, dependency or parentTaskId by field', () => {
    expect(refusal(() => valid({ projectId: 'p1' })).extensions).toEqual({ field: 'projectId' });
    expect(refusal(() => valid({ dependencies: [DEP_A, '7'] })).extensions).toEqual({ field: 'dependencies' });
    expect(refusal(() => valid({ parentTaskId: 'parent' })).extensions).toEqual({ field: 'parentTaskId' });
  });

  it('refuses a blank or too long title, a too long description or assignedTo', () => {
    expect(refusal(() => valid({ title: '  ' })).message).toBe('title must not be empty');
    expect(valid({ title: 't'.repeat(500) }).title).toHaveLength(500);
    expect(refusal(() => valid({ title: 't'.repeat(501) })).message).toBe('title is 501 characters; the limit is 500');
    expect(valid({ description: 'd'.repeat(100_000) }).description).toHaveLength(100_000);
    expect(refusal(() => valid({ description: 'd'.repeat(100_001) })).extensions).toEqual({ field: 'description', limit: 100_000 });
    expect(valid({ assignedTo: 'a'.repeat(100) }).assignedTo).toHaveLength(100);
    expect(refusal(() => valid({ assignedTo: 'a'.repeat(101) })).extensions).toEqual({ field: 'assignedTo', limit: 100 });
    expect(refusal(() => valid({ assignedTo: '' })).message).toBe('assignedTo must not be empty');
  });

  it('refuses a priority outside 1..10', () => {
    expect(refusal(() => valid({ priority: 0 })).extensions).toEqual({ field: 'priority' });
    expect(valid({ priority: null }).priority).toBe(5);
  });

  it('maxRetries is a whole number from 0 to 100', () => {
    expect(valid({ maxRetries: 100 }).maxRetries).toBe(100);
    expect(valid({ maxRetries: null }).maxRetries).toBe(3);
    for (const m of [-1, 101, 2.5]) {
      const e = refusal(() => valid({ maxRetries: m }));
      expect(e.message).toBe(`maxRetries must be a whole number from 0 to 100, got ${m}`);
      expect(e.extensions).toEqual({ field: 'maxRetries' });
    }
  });

  it('allows at most 1000 dependencies', () => {
    const ids = (n: number) => Array.from({ length: n }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    expect(valid({ dependencies: ids(1000) }).dependencies).toHaveLength(1000);
    expect(refusal(() => valid({ dependencies: ids(1001) })).message).toBe('a task may have at most 1000 dependencies');
  });

  it('refuses a retry policy out of range, saying which part', () => {
    const e = refusal(() => valid({ retryPolicy: { jitter: 2 } }));
    expect(e.message).toBe('retryPolicy: jitter must be between 0 and 1');
    expect(e.extensions).toEqual({ field: 'retryPolicy' });
  });

  it('refuses a context or metadata that is not an object', () => {
    expect(refusal(() => valid({ context: [] as unknown as Record<string, unknown> })).message).toBe('context must be a JSON object');
    expect(refusal(() => valid({ metadata: 'x' as unknown as Record<string, unknown> })).message).toBe('metadata must be a JSON object');
  });

  it('runAt as given, or refused as runAtOf refuses', () => {
    const runAt = new Date('2027-01-01T00:00:00Z');
    expect(valid({ runAt }).runAt).toBe(runAt);
    expect(refusal(() => valid({ runAt, delaySeconds: 1 })).extensions).toEqual({ field: 'delaySeconds' });
  });

  it('timeoutSeconds is a whole number from 1 to thirty days', () => {
    expect(LIMITS.timeoutSeconds).toBe(2_592_000);
    expect(valid({ timeoutSeconds: 1 }).timeoutSeconds).toBe(1);
    expect(valid({ timeoutSeconds: 2_592_000 }).timeoutSeconds).toBe(2_592_000);
    for (const t of [0, 2_592_001, 1.5]) {
      const e = refusal(() => valid({ timeoutSeconds: t }));
      expect(e.message).toBe(`timeoutSeconds must be a whole number from 1 to 2592000, got ${t}`);
      expect(e.extensions).toEqual({ field: 'timeoutSeconds' });
    }
  });

  it('idempotencyKey and concurrencyKey: not blank, at most 200 characters', () => {
    for (const field of ['idempotencyKey', 'concurrencyKey'] as const) {
      expect(valid({ [field]: 'k'.repeat(200) })[field]).toHaveLength(200);
      expect(refusal(() => valid({ [field]: 'k'.repeat(201) })).extensions).toEqual({ field, limit: 200 });
      expect(refusal(() => valid({ [field]: ' ' })).message).toBe(`${field} must not be empty`);
    }
  });
});
