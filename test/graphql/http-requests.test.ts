import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TestServer } from '../helpers/server';
import { AUTH_HEADERS } from '../helpers/auth';

let ts: TestServer;
beforeAll(async () => {
  ts = await startTestServer();
});
afterAll(async () => {
  await ts?.close();
});

async function post(body: string | Buffer, contentType = 'application/json', url = ts.url) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': contentType, ...AUTH_HEADERS }, body });
  const text = await res.text();
  return { status: res.status, contentType: res.headers.get('content-type'), text, json: () => JSON.parse(text) };
}

describe('POST /graphql', () => {
  it('answers a query, with or without a query string and a charset', async () => {
    const plain = await post(JSON.stringify({ query: '{ __typename }' }));
    expect(plain.status).toBe(200);
    expect(plain.json()).toEqual({ data: { __typename: 'Query' } });
    const withSearch = await post(JSON.stringify({ query: '{ __typename }' }), 'application/json; charset=utf-8', `${ts.url}?client=test`);
    expect(withSearch.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('refuses a body that is not JSON with a GraphQL-shaped 400, not an HTML page', async () => {
    const r = await post('{"query": "{ __typename }"');
    expect(r.status).toBe(400);
    expect(r.contentType).toMatch(/^application\/json/);
    const [error] = r.json().errors;
    expect(error.extensions).toEqual({ code: 'BAD_REQUEST' });
    expect(error.message).toMatch(/not valid JSON/);
  });

  it('refuses a body over the limit with 413 PAYLOAD_TOO_LARGE', async () => {
    const big = Buffer.alloc(13 * 1024 * 1024, 0x20);
    const r = await post(big);
    expect(r.status).toBe(413);
    expect(r.json().errors[0].extensions).toEqual({ code: 'PAYLOAD_TOO_LARGE' });
    // The connection is still usable afterwards.
    expect((await post(JSON.stringify({ query: '{ __typename }' }))).status).toBe(200);
  });

  it('empty bodies, batches and form posts get a 400 with a code and no stack trace', async () => {
    for (const [body, type, message] of [
      ['', 'application/json', /POST body missing/],
      ['[]', 'application/json', /batching disabled/],
      ['query={__typename}', 'text/plain', /Cross-Site Request Forgery/],
    ] as const) {
      const r = await post(body, type);
      expect(r.status).toBe(400);
      const [error] = r.json().errors;
      expect(error.message).toMatch(message);
      expect(error.extensions).toEqual({ code: 'BAD_REQUEST' });
      expect(r.text).not.toMatch(/stacktrace|node_modules/);
    }
  });

  it('validation errors carry their code and no stack trace', async () => {
    const r = await post(JSON.stringify({ query: '{ nope }' }));
    expect(r.status).toBe(400);
    expect(r.json().errors[0].extensions).toEqual({ code: 'GRAPHQL_VALIDATION_FAILED' });
  });
});

describe('GET /graphql', () => {
  it('still runs queries through Express (with the CSRF preflight header)', async () => {
    const res = await fetch(`${ts.url}?query=${encodeURIComponent('{ __typename }')}`, { headers: { 'apollo-require-preflight': '1', ...AUTH_HEADERS } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ data: { __typename: 'Query' } });
  });
});
