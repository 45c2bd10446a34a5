import type { GraphQLFormattedError } from 'graphql';
import { DomainError } from '../domain/errors';
import { SlowSubscriberError } from '../events/subscriber';
import { countTokens } from '../auth/query-limits';

/**
 * Duck-typed on purpose: `graphql` ships CommonJS and ESM builds, and Apollo, type-graphql and
 * graphql-ws may each load a different one, so `instanceof GraphQLError` is not reliable.
 */
function isGraphQLError(e: unknown): e is { originalError?: unknown; extensions?: Record<string, unknown> } {
  // GraphQLError and Apollo's subclasses (UserInputError, …) all carry these own properties.
  return typeof e === 'object' && e !== null && e instanceof Error && 'extensions' in e && 'nodes' in e && 'path' in e;
}

/**
 * The one place errors become what clients see. Domain errors keep their code, message and
 * facts; GraphQL's own (parse, validation, variable coercion) keep theirs; anything else is an
 * INTERNAL_SERVER_ERROR with the message hidden and the detail logged.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown, log: (e: unknown) => void): GraphQLFormattedError {
  let original: unknown = error;
  while (isGraphQLError(original) && original.originalError) original = original.originalError;
  if (original instanceof DomainError) {
    return { message: original.message, locations: formatted.locations, path: formatted.path, extensions: { ...original.extensions, code: original.code } };
  }
  if (original instanceof SlowSubscriberError) {
    return { message: original.message, path: formatted.path, extensions: { code: 'SUBSCRIBER_TOO_SLOW' } };
  }
  if (isGraphQLError(original)) {
    // graphql's parser stopped at QUERY_MAX_TOKENS: the query limit, not a typo.
    const tokenLimit = /^Syntax Error: Document contains more t\w+ (\d+) tokens/.exec(formatted.message);
    if (tokenLimit) {
      const limit = Number(tokenLimit[1]);
      const body = (original as { source?: { body?: unknown } }).source?.body;
      const actual = typeof body === 'string' ? countTokens(body) : limit + 1;
      return {
        message: `The operation is over the tokens limit: ${actual} > ${limit} (QUERY_MAX_TOKENS); nothing ran`,
        extensions: { code: 'QUERY_TOO_COMPLEX', kind: 'tokens', limit, actual },
      };
    }
    // Produced by graphql-js or Apollo themselves (parse, validation, coercion): safe to show.
    // A query limit's refusal keeps its code through Apollo's GRAPHQL_VALIDATION_FAILED wrapping.
    const limitCode = original.extensions?.code === 'QUERY_TOO_COMPLEX' ? 'QUERY_TOO_COMPLEX' : undefined;
    const codes = [limitCode, formatted.extensions?.code, isGraphQLError(error) ? error.extensions?.code : undefined, original.extensions?.code];
    const code = codes.find((c) => typeof c === 'string' && c !== 'INTERNAL_SERVER_ERROR') as string | undefined;
    // A stack trace names this server's files: never passed on, whatever Apollo was told.
    const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
    if (code) return { ...formatted, extensions: { ...extensions, code } };
    const inferred = /^Variable "\$/.test(formatted.message)
      ? 'BAD_USER_INPUT'
      : /^Syntax Error/.test(formatted.message)
        ? 'GRAPHQL_PARSE_FAILED'
        : formatted.path
          ? null
          : 'GRAPHQL_VALIDATION_FAILED';
    if (inferred) return { ...formatted, extensions: { ...extensions, code: inferred } };
  }
  log(original);
  return { message: 'Internal server error', locations: formatted.locations, path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}
