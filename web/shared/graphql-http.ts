import { graphqlHttpUrl } from './endpoints';
import { authHeaders, tokenRefused } from './auth-token';

export interface GraphQLErrorPayload {
  message: string;
  extensions?: { code?: string; [key: string]: unknown };
}

export class GraphQLRequestError extends Error {
  constructor(message: string, readonly errors: GraphQLErrorPayload[] = [], readonly status?: number) {
    super(message);
    this.name = 'GraphQLRequestError';
  }
}

/** One query or mutation over HTTP POST (Apollo's CSRF rule is met by the JSON content type). */
export async function graphqlRequest<T>(
  query: string,
  variables: Record<string, unknown> = {},
  signal?: AbortSignal,
): Promise<T> {
  let response: Response;
  try {
    response = await fetch(graphqlHttpUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...authHeaders() },
      body: JSON.stringify({ query, variables }),
      signal,
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new GraphQLRequestError(`GraphQL endpoint unreachable: ${(err as Error).message}`);
  }
  let body: { data?: T; errors?: GraphQLErrorPayload[] } | undefined;
  try {
    body = (await response.json()) as typeof body;
  } catch {
    throw new GraphQLRequestError(`GraphQL endpoint answered HTTP ${response.status} without JSON`, [], response.status);
  }
  if (response.status === 401) tokenRefused(body?.errors?.[0]?.message ?? 'HTTP 401');
  if (body?.errors?.length) {
    throw new GraphQLRequestError(body.errors.map((e) => e.message).join('; '), body.errors, response.status);
  }
  if (!body?.data) throw new GraphQLRequestError(`GraphQL endpoint answered HTTP ${response.status} without data`, [], response.status);
  return body.data;
}
