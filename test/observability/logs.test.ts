import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, TestDatabase } from '../helpers/database';
import { startServerProcess, ServerProcess } from '../helpers/server-process';
import { AUTH_HEADERS } from '../helpers/auth';
import { waitUntil } from '../helpers/ws-client';

let db: TestDatabase;
let proc: ServerProcess;

beforeAll(async () => {
  db = await createTestDatabase();
  // Every operation counts as slow at 1 ms, so each one logs its warn line.
  proc = await startServerProcess({ databaseUrl: db.url, env: { SLOW_OPERATION_MS: '1', LOG_LEVEL: 'info' } });
}, 60_000);
afterAll(async () => {
  await proc?.stop();
  await db?.drop();
});

const lines = () =>
  proc
    .stderr()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('logs', () => {
  it('carry the request id and operation name; slow operations are logged at warn with their duration', async () => {
    const post = (requestId: string | undefined, body: unknown) =>
      fetch(proc.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...AUTH_HEADERS, ...(requestId ? { 'x-request-id': requestId } : {}) },
        body: JSON.stringify(body),
      });
    const res = await post('req-abc-123', { query: 'query ListProjects { projects { id } }', operationName: 'ListProjects' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('req-abc-123');
    const generated = await post(undefined, { query: 'mutation MakeOne { createProject(input: { name: "logged" }) { id } }' });
    const generatedId = generated.headers.get('x-request-id');
    expect(generatedId).toMatch(/^[0-9a-f-]{36}$/);

    await waitUntil(() => lines().filter((l) => l.msg === 'slow operation').length >= 2, 10_000, 'the slow operation lines');
    const slow = lines().filter((l) => l.msg === 'slow operation');
    const first = slow.find((l) => l.requestId === 'req-abc-123')!;
    expect(first).toMatchObject({ level: 'warn', requestId: 'req-abc-123', operation: 'ListProjects' });
    expect((first.extra as { durationMs: number }).durationMs).toBeGreaterThanOrEqual(1);
    expect(slow.find((l) => l.requestId === generatedId)).toMatchObject({ operation: 'MakeOne' });
    // Lines outside any request carry no request id.
    expect(lines().find((l) => String(l.msg).startsWith('GraphQL ready'))!.requestId).toBeUndefined();
  });
});
