import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { startTestServer, TestServer } from '../helpers/server';
import { createProject, createTask } from '../helpers/fixtures';
import { codeOf, gqlAs, mintToken } from '../helpers/tokens';
import { connectClient, waitUntil } from '../helpers/ws-client';
import { mintToken as mintRaw } from '../../src/auth/token-format';

let ts: TestServer;
let second: TestServer;
let project: string;

beforeAll(async () => {
  ts = await startTestServer();
  second = await startTestServer({ db: ts.db });
  project = await createProject(ts, 'tokens');
}, 60_000);
afterAll(async () => {
  await second?.close();
  await ts?.close();
});

/** SQL statements the server runs while `work` runs (every statement goes through knex). */
async function statementsDuring(server: TestServer, work: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  const knex = server.orm.em.getConnection().getKnex();
  const listener = (q: { sql: string }) => seen.push(q.sql);
  knex.on('query', listener);
  try {
    await work();
  } finally {
    knex.removeListener('query', listener);
  }
  return seen;
}

describe('API tokens', () => {
  it('are created once in plaintext, listed without it, identify their caller, and work at once', async () => {
    const created = await ts.ok(`mutation($p: ID!) { createApiToken(input: { name: "ci", role: PRODUCER, projectId: $p }) { token apiToken { id name role projectId prefix expiresAt revokedAt } } }`, { p: project });
    const { token, apiToken } = created.createApiToken;
    expect(token).toMatch(/^tsk_[0-9A-Za-z]{38}$/);
    expect(apiToken).toMatchObject({ name: 'ci', role: 'PRODUCER', projectId: project, prefix: token.slice(0, 8), revokedAt: null });
    // 90 days by default.
    expect(Math.round((Date.parse(apiToken.expiresAt) - Date.now()) / 86_400_000)).toBe(90);
    const listed = await ts.ok(`{ apiTokens { id prefix } }`);
    expect(JSON.stringify(listed)).not.toContain(token);
    expect(listed.apiTokens).toContainEqual({ id: apiToken.id, prefix: token.slice(0, 8) });
    // Usable at once, on the other instance too.
    const viewer = await gqlAs(second.url, token, `{ viewer { role projectId tokenName } }`);
    expect(viewer.data.viewer).toEqual({ role: 'PRODUCER', projectId: project, tokenName: 'ci' });
    // lastUsedAt is written after the answer (at most once a minute).
    await waitUntil(async () => {
      const t = await ts.ok(`{ apiTokens { id lastUsedAt } }`);
      return t.apiTokens.find((x: any) => x.id === apiToken.id)?.lastUsedAt != null;
    }, 5_000, 'lastUsedAt to be written');
    // The database holds only a hash.
    const rows = await ts.orm.em.getConnection().execute(`select token_hash from api_token where id = ?`, [apiToken.id]);
    expect(rows[0].token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0].token_hash).not.toContain(token.slice(4));
  });

  it('validates its input', async () => {
    const noProject = await ts.gql(`mutation { createApiToken(input: { name: "w", role: WORKER }) { token } }`);
    expect(codeOf(noProject)).toBe('BAD_USER_INPUT');
    const both = await ts.gql(`mutation($p: ID!) { createApiToken(input: { name: "w", role: WORKER, projectId: $p, expiresInDays: 3, neverExpires: true }) { token } }`, { p: project });
    expect(codeOf(both)).toBe('BAD_USER_INPUT');
    const never = await ts.ok(`mutation($p: ID!) { createApiToken(input: { name: "w", role: WORKER, projectId: $p, neverExpires: true }) { apiToken { expiresAt } } }`, { p: project });
    expect(never.createApiToken.apiToken.expiresAt).toBeNull();
  });

  it('refuses no token, malformed values, other formats, typos and unknown tokens with 401 UNAUTHENTICATED', async () => {
    const good = (await mintToken(ts, { role: 'VIEWER', projectId: project })).token;
    const typo = good.slice(0, 10) + (good[10] === 'a' ? 'b' : 'a') + good.slice(11);
    const cases: [string, Record<string, string>][] = [
      ['missing', {}],
      ['empty bearer', { authorization: 'Bearer ' }],
      ['basic', { authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}` }],
      ['no scheme', { authorization: good }],
      ['two tokens', { authorization: `Bearer ${good} ${good}` }],
      ['github format', { authorization: 'Bearer ghp_0123456789abcdefghijklmnopqrstuvwxyzAB' }],
      ['jwt', { authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJyb2xlIjoiQURNSU4ifQ.' }],
      ['typo', { authorization: `Bearer ${typo}` }],
      ['unknown', { authorization: `Bearer ${mintRaw()}` }],
      ['sql', { authorization: "Bearer ' or 1=1 --" }],
      ['long', { authorization: `Bearer ${'x'.repeat(5_000)}` }],
    ];
    for (const [what, headers] of cases) {
      const res = await fetch(ts.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query: '{ viewer { role } }' }) });
      expect(res.status, what).toBe(401);
      expect(res.headers.get('www-authenticate'), what).toBe('Bearer');
      const body: any = await res.json();
      expect(body.errors[0].extensions.code, what).toBe('UNAUTHENTICATED');
      expect(body.data, what).toBeUndefined();
    }
  });

  it('refuses a checksum typo without a database read; a cached token costs no read either', async () => {
    const good = (await mintToken(ts, { role: 'WORKER', projectId: project })).token;
    const typo = good.slice(0, -1) + (good.endsWith('a') ? 'b' : 'a');
    const refused = await statementsDuring(second, () => gqlAs(second.url, typo, '{ viewer { role } }'));
    // Only token lookups count: the sweeper's own statements may run on the server meanwhile.
    expect(refused.filter((s) => /api_token/.test(s))).toEqual([]);
    // (The listener sees the lookup a well-formed unknown token costs.)
    const unknown = await statementsDuring(second, () => gqlAs(second.url, mintRaw(), '{ viewer { role } }'));
    expect(unknown.some((q) => /from api_token where token_hash/.test(q))).toBe(true);
    await gqlAs(second.url, good, '{ viewer { role } }'); // cached now
    const cached = await statementsDuring(second, () => gqlAs(second.url, good, '{ viewer { role } }'));
    expect(cached.filter((s) => /api_token/.test(s) && !/last_used_at = now\(\)/.test(s))).toEqual([]);
  });

  it('a huge header is refused by the HTTP server without reaching GraphQL', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(ts.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${'x'.repeat(200_000)}` } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end('{"query":"{ viewer { role } }"}');
    });
    expect(status).toBe(431);
  });

  it('expired and revoked tokens are refused at once, on every instance', async () => {
    const { token, id } = await mintToken(ts, { role: 'VIEWER', projectId: project });
    expect((await gqlAs(second.url, token, '{ viewer { role } }')).status).toBe(200);
    const revoked = await ts.ok(`mutation($id: ID!) { revokeApiToken(id: $id) { id revokedAt } }`, { id });
    expect(revoked.revokeApiToken.revokedAt).not.toBeNull();
    // The other instance had it cached: the revocation reaches it over LISTEN/NOTIFY.
    await waitUntil(async () => (await gqlAs(second.url, token, '{ viewer { role } }')).status === 401, 5_000, 'the revocation to reach the second instance');
    const r = await gqlAs(second.url, token, '{ viewer { role } }');
    expect(r.errors![0].extensions.reason).toBe('revoked');

    const expiring = await mintToken(ts, { role: 'VIEWER', projectId: project });
    await ts.orm.em.getConnection().execute(`update api_token set expires_at = now() - interval '1 second' where id = ?`, [expiring.id]);
    const expired = await gqlAs(ts.url, expiring.token, '{ viewer { role } }');
    expect(expired.status).toBe(401);
    expect(expired.errors![0].extensions.reason).toBe('expired');
  });
});

describe('WebSockets', () => {
  it('a handshake without a valid token is closed with 4403', async () => {
    for (const params of [{}, { authorization: 'Bearer nope' }, { authorization: `Bearer ${mintRaw()}` }]) {
      await expect(connectClient(ts.wsUrl, params)).rejects.toThrow(/4403/);
    }
  });

  it('a revoked token closes its sockets with 4403 on every instance; an expiring one at its expiry', async () => {
    const { token, id } = await mintToken(ts, { role: 'VIEWER', projectId: project });
    const here = await connectClient(ts.wsUrl, { authorization: `Bearer ${token}` });
    const there = await connectClient(second.wsUrl, { authorization: `Bearer ${token}` });
    const other = await connectClient(second.wsUrl, { authorization: `Bearer ${(await mintToken(ts, { role: 'VIEWER', projectId: project })).token}` });
    await ts.ok(`mutation($id: ID!) { revokeApiToken(id: $id) { id } }`, { id });
    expect((await here.closed).code).toBe(4403);
    expect((await there.closed).code).toBe(4403);
    // Other tokens' sockets stay open.
    await new Promise((r) => setTimeout(r, 200));
    expect(other.socket().readyState).toBe(1);
    await other.dispose();

    const expiring = await mintToken(ts, { role: 'VIEWER', projectId: project });
    await ts.orm.em.getConnection().execute(`update api_token set expires_at = now() + interval '1.5 seconds' where id = ?`, [expiring.id]);
    const live = await connectClient(second.wsUrl, { authorization: `Bearer ${expiring.token}` });
    const closed = await live.closed;
    expect(closed.code).toBe(4403);
    expect(closed.reason).toMatch(/expired/);
  });
});

describe('WORKER tokens: own leases only', () => {
  it('another worker token guessing the workerId is refused with LEASE_NOT_HELD and changes nothing', async () => {
    const w1 = (await mintToken(ts, { role: 'WORKER', projectId: project })).token;
    const w2 = (await mintToken(ts, { role: 'WORKER', projectId: project })).token;
    const task = await createTask(ts, { projectId: project, title: 'leased', maxRetries: 0 });
    const claimed = await gqlAs(ts.url, w1, `mutation($p: ID!) { claimTasks(projectId: $p, workerId: "w", limit: 5) { id } }`, { p: project });
    expect(claimed.data.claimTasks.map((t: any) => t.id)).toContain(task.id);
    const before = await ts.ok(`query($id: ID!) { task(id: $id) { status workerId leaseExpiresAt updatedAt } }`, { id: task.id });
    const attempts = [
      `mutation($id: ID!) { heartbeatTask(id: $id, workerId: "w", leaseSeconds: 600) { id } }`,
      `mutation($id: ID!) { completeTask(id: $id, workerId: "w") { id } }`,
      `mutation($id: ID!) { completeTask(id: $id) { id } }`,
      `mutation($id: ID!) { completeTasks(inputs: [{ id: $id, workerId: "w" }]) { id } }`,
      `mutation($id: ID!) { failTask(id: $id, workerId: "w", error: "sabotage") { id } }`,
      `mutation($id: ID!) { decomposeTask(id: $id) { id } }`,
    ];
    for (const query of attempts) expect(codeOf(await gqlAs(ts.url, w2, query, { id: task.id })), query).toBe('LEASE_NOT_HELD');
    expect((await ts.ok(`query($id: ID!) { task(id: $id) { status workerId leaseExpiresAt updatedAt } }`, { id: task.id }))).toEqual(before);
    // The claiming token itself may.
    const hb = await gqlAs(ts.url, w1, `mutation($id: ID!) { heartbeatTask(id: $id, workerId: "w") { id } }`, { id: task.id });
    expect(hb.errors).toBeUndefined();
    const done = await gqlAs(ts.url, w1, `mutation($id: ID!) { completeTask(id: $id, workerId: "w") { status } }`, { id: task.id });
    expect(done.data.completeTask.status).toBe('COMPLETED');
  });
});

describe('AUTH_MODE=off (loopback only)', () => {
  it('treats every caller as a global admin, with or without a token', async () => {
    const open = await startTestServer({ db: ts.db, config: { authMode: 'off', adminToken: null } });
    try {
      const r = await gqlAs(open.url, null, '{ viewer { role projectId tokenName } }');
      expect(r.data.viewer).toEqual({ role: 'ADMIN', projectId: null, tokenName: 'AUTH_MODE=off' });
      const live = await connectClient(open.wsUrl, {});
      await live.dispose();
    } finally {
      await open.close();
    }
  });
});

describe('limits on authentication and operations', () => {
  it('failed authentications are limited per client address (429, Retry-After), other callers unaffected', async () => {
    const limited = await startTestServer({ db: ts.db, config: { authFailuresPerMinute: 3 } });
    try {
      for (let i = 0; i < 3; i++) expect((await gqlAs(limited.url, mintRaw(), '{ viewer { role } }')).status).toBe(401);
      const blocked = await fetch(limited.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${mintRaw()}` }, body: '{"query":"{ viewer { role } }"}' });
      expect(blocked.status).toBe(429);
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
      const body: any = await blocked.json();
      expect(body.errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED' });
      expect(body.errors[0].extensions.retryAfterSeconds).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });

  it('RATE_LIMIT_PER_MINUTE limits operations per token', async () => {
    const limited = await startTestServer({ db: ts.db, config: { rateLimitPerMinute: 5 } });
    try {
      const token = (await mintToken(ts, { role: 'VIEWER', projectId: project })).token;
      const other = (await mintToken(ts, { role: 'VIEWER', projectId: project })).token;
      for (let i = 0; i < 5; i++) expect((await gqlAs(limited.url, token, '{ viewer { role } }')).status).toBe(200);
      const over = await gqlAs(limited.url, token, '{ viewer { role } }');
      expect(over.status).toBe(429);
      expect(codeOf(over)).toBe('RATE_LIMITED');
      expect(over.errors![0].extensions.retryAfterSeconds).toBeGreaterThan(0);
      expect((await gqlAs(limited.url, other, '{ viewer { role } }')).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});
