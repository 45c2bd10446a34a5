import { AUTH_HEADERS } from './auth';

export interface GqlResult<T = any> {
  data?: T;
  errors?: any[];
}

/** One GraphQL operation over HTTP against any server URL (a child process, say), with the test token. */
export async function gqlAt<T = any>(url: string, query: string, variables?: Record<string, unknown>): Promise<GqlResult<T>> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...AUTH_HEADERS }, body: JSON.stringify({ query, variables }) });
  return (await res.json()) as GqlResult<T>;
}

/** Like gqlAt, but throws on errors and returns data. */
export async function okAt<T = any>(url: string, query: string, variables?: Record<string, unknown>): Promise<T> {
  const r = await gqlAt<T>(url, query, variables);
  if (r.errors?.length) throw new Error(`GraphQL errors from ${url}: ${JSON.stringify(r.errors)}`);
  return r.data!;
}
