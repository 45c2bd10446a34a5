import { GraphQLRequestError } from './errors';

/** One GraphQL request over HTTP POST; throws GraphQLRequestError when the answer has errors. */
export async function httpRequest<T>(url: string, authorization: string | undefined, query: string, variables?: Record<string, unknown>): Promise<T> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (authorization) headers.authorization = authorization;
  const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  const text = await res.text();
  let body: { data?: T; errors?: GraphQLRequestError['errors'] };
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`HTTP ${res.status} from ${url}: ${text.slice(0, 200)}`);
  }
  if (body.errors?.length) throw new GraphQLRequestError(body.errors.map((e) => e.message).join('; '), body.errors);
  if (!res.ok || body.data === undefined) throw new Error(`HTTP ${res.status} from ${url}`);
  return body.data;
}
