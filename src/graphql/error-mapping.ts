import { GraphQLError, GraphQLFormattedError } from 'graphql';
import { DomainError } from '../domain/errors';
import { SlowSubscriberError } from '../events/subscriber';

/**
 * The one place errors become what clients see. Domain errors keep their code, message and
 * facts; GraphQL's own (parse, validation, variable coercion) keep theirs; anything else is an
 * INTERNAL_SERVER_ERROR with the message hidden and the detail logged.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown, log: (e: unknown) => void): GraphQLFormattedError {
  const original = error instanceof GraphQLError ? (error.originalError ?? null) : error;
  if (original instanceof DomainError) {
    return { message: original.message, locations: formatted.locations, path: formatted.path, extensions: { ...original.extensions, code: original.code } };
  }
  if (original instanceof SlowSubscriberError) {
    return { message: original.message, path: formatted.path, extensions: { code: 'SUBSCRIBER_TOO_SLOW' } };
  }
  const code = formatted.extensions?.code;
  if (original === null || original === undefined || original instanceof GraphQLError) {
    // Produced by graphql-js or Apollo themselves: safe, and the codes are stable.
    if (typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR') return formatted;
    if (code === undefined && original === null) return { ...formatted, extensions: { ...formatted.extensions, code: 'GRAPHQL_VALIDATION_FAILED' } };
  }
  log(original ?? error);
  return { message: 'Internal server error', locations: formatted.locations, path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}
