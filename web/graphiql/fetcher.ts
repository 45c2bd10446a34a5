import { createGraphiQLFetcher, type Fetcher, type FetcherOpts, type FetcherParams } from '@graphiql/toolkit';
import { Kind, parse, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import type { Client } from 'graphql-ws';
import { graphqlHttpUrl } from '../shared/endpoints';
import { authHeaders, tokenRefused } from '../shared/auth-token';

/**
 * The operation name to send for `query`. GraphiQL can hand us the previous tab's operationName
 * when a tab is switched and run within ~0.5 s; trust the name only if the document defines it.
 * One operation: its own name. Several, and the name is not one of them: none (the server then
 * says which names exist instead of running the wrong operation).
 */
export function deriveOperationName(document: DocumentNode, requested: string | null | undefined): string | undefined {
  const operations = document.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  if (operations.length === 1) return operations[0].name?.value;
  const names = operations.map((o) => o.name?.value);
  return requested && names.includes(requested) ? requested : undefined;
}

/** HTTP for queries and mutations, the graphql-ws client for subscriptions. */
export function createFetcher(wsClient: Client): Fetcher {
  const inner = createGraphiQLFetcher({
    url: graphqlHttpUrl(),
    wsClient,
    // Apollo Server with graphql 16 has no @defer/@stream: plain JSON responses.
    enableIncrementalDelivery: false,
    // The token of this tab on every request; a refusal shows the sign-in form with the reason.
    fetch: async (input, init) => {
      const response = await fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string> | undefined), ...authHeaders() } });
      if (response.status === 401) {
        const body = (await response.clone().json().catch(() => null)) as { errors?: { message?: string }[] } | null;
        tokenRefused(body?.errors?.[0]?.message ?? 'HTTP 401');
      }
      return response;
    },
  });
  return (params: FetcherParams, opts?: FetcherOpts) => {
    let document: DocumentNode;
    try {
      document = parse(params.query);
    } catch {
      return inner(params, opts); // let the server report the syntax error
    }
    const operationName = deriveOperationName(document, params.operationName);
    // The toolkit decides HTTP vs websocket from documentAST + operationName: keep them consistent.
    return inner({ ...params, operationName }, { ...opts, documentAST: document });
  };
}
