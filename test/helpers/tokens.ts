import type { TestServer } from './server';

export type Role = 'ADMIN' | 'PRODUCER' | 'WORKER' | 'VIEWER';

/** POST /graphql with the given token (or none): status and body. */
export async function gqlAs(url: string, token: string | null, query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token === null ? {} : { authorization: `Bearer ${token}` }), ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const text = await res.text();
  let body: { data?: any; errors?: any[] };
  try {
    body = JSON.parse(text);
  } catch {
    body = { errors: [{ message: text, extensions: { code: `HTTP_${res.status}` } }] };
  }
  return { status: res.status, ...body };
}

/** Creates a token through the API as the test admin; returns the secret and its id. */
export async function mintToken(ts: TestServer, input: { name?: string; role: Role; projectId?: string | null; expiresInDays?: number; neverExpires?: boolean }): Promise<{ token: string; id: string }> {
  const data = await ts.ok<{ createApiToken: { token: string; apiToken: { id: string } } }>(
    `mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { token apiToken { id } } }`,
    { i: { name: input.name ?? `${input.role.toLowerCase()}-${Math.random().toString(36).slice(2, 8)}`, ...input } },
  );
  return { token: data.createApiToken.token, id: data.createApiToken.apiToken.id };
}

export const codeOf = (r: { errors?: any[] }): string | undefined => r.errors?.[0]?.extensions?.code;
