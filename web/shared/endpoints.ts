/** The GraphQL endpoint lives on the same origin as the pages: HTTP and graphql-ws both on /graphql. */
export const GRAPHQL_PATH = '/graphql';

export function graphqlHttpUrl(): string {
  return new URL(GRAPHQL_PATH, location.href).toString();
}

export function graphqlWsUrl(): string {
  const url = new URL(GRAPHQL_PATH, location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}
