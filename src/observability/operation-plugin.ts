import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLError } from 'graphql';
import type { Logger } from '../logger';
import type { Metrics, RefusalReason } from './metrics';
import { currentRequest } from './request-context';

/**
 * Apollo plugin: every HTTP GraphQL operation counted by type, name and result
 * (ok | error | refused) with its duration; refusals before execution counted by reason; the
 * operation name put on the request's log context; operations slower than `slowMs` logged at
 * warn with name and duration.
 */
export function operationPlugin(options: { metrics: Metrics; logger: Logger; slowMs: number }): ApolloServerPlugin {
  const { metrics, logger, slowMs } = options;
  return {
    async requestDidStart() {
      const started = performance.now();
      let type = 'unknown';
      let name: string | null = null;
      let refusal: RefusalReason | null = null;
      let failed = false;
      return {
        async didResolveOperation(ctx) {
          type = ctx.operation?.operation ?? 'unknown';
          name = ctx.operationName ?? null;
          const request = currentRequest();
          if (request) request.operation = name ?? 'anonymous';
        },
        async didEncounterErrors(ctx) {
          failed = true;
          const reason = refusalReason(ctx.errors);
          if (reason === 'forbidden' && refusal === null) metrics.authFailures.inc({ reason: 'forbidden' });
          refusal ??= reason;
        },
        async willSendResponse(ctx) {
          if (ctx.operationName && !name) name = ctx.operationName;
          const operation = metrics.operationLabel(name);
          const executed = type !== 'unknown' && refusal === null;
          if (!executed && refusal === null) refusal = 'other';
          if (refusal) metrics.refused.inc({ reason: refusal });
          metrics.operations.inc({ type, operation, result: refusal ? 'refused' : failed ? 'error' : 'ok' });
          const ms = performance.now() - started;
          if (executed) metrics.operationDuration.observe({ type, operation }, ms / 1000);
          if (ms > slowMs) logger.warn('slow operation', { operation: name ?? 'anonymous', type, durationMs: Math.round(ms) });
        },
      };
    },
  };
}

/** Why an operation was refused before it ran, from its errors' codes; null when it ran. */
export function refusalReason(errors: readonly GraphQLError[]): RefusalReason | null {
  for (let e of errors) {
    // Query limits (src/auth/query-limits.ts): Apollo wraps the rule's error as
    // GRAPHQL_VALIDATION_FAILED, and the token limit is graphql's parse error; both are limits.
    if (/^Syntax Error: Document contains more t\w+ \d+ tokens/.test(e.message)) return 'tokens';
    const original = e.originalError as { extensions?: Record<string, unknown> } | undefined;
    if (original?.extensions?.code === 'QUERY_TOO_COMPLEX') e = original as GraphQLError;
    const code = errorCode(e);
    if (code === 'GRAPHQL_PARSE_FAILED') return 'parse';
    if (code === 'GRAPHQL_VALIDATION_FAILED') return 'validation';
    if (code === 'RATE_LIMITED') return 'rate_limit';
    // The role may not call this root field (src/auth/enforce-permissions.ts): nothing ran.
    if (code === 'FORBIDDEN') return 'forbidden';
    if (code === 'QUERY_TOO_COMPLEX') {
      const kind = String(e.extensions?.kind ?? '');
      if (kind === 'depth' || kind === 'aliases' || kind === 'tokens') return kind;
      if (kind === 'batch' || kind === 'batch_size') return 'batch_size';
      return 'complexity';
    }
  }
  return null;
}

/** The stable code of an error: set on the GraphQL error, or (before formatting) on the domain error it wraps. */
export function errorCode(e: GraphQLError): unknown {
  return e.extensions?.code ?? (e.originalError as { code?: unknown } | undefined)?.code;
}
