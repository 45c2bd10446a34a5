import { DomainError } from '../domain/errors';

/** No token, or one that is malformed, unknown, expired or revoked (HTTP 401; WebSocket 4403). */
export class UnauthenticatedError extends DomainError {
  constructor(
    message: string,
    readonly reason: 'missing' | 'malformed' | 'invalid' | 'expired' | 'revoked' | 'rate_limited',
  ) {
    super('UNAUTHENTICATED', message, {
      reason,
      recovery: 'Send a valid API token as "Authorization: Bearer <token>" (connectionParams.authorization on WebSockets); an admin creates one with createApiToken.',
    });
  }
}

/** The caller's role may not call this operation; nothing was changed. */
export class ForbiddenError extends DomainError {
  constructor(operation: string, role: string, allowed: readonly string[]) {
    super('FORBIDDEN', `A ${role} token may not call ${operation}`, { operation, role, allowedRoles: [...allowed] });
  }
}

export class TokenNotFoundError extends DomainError {
  constructor(id: string) {
    super('TOKEN_NOT_FOUND', `API token ${id} not found`, { tokenId: id, recovery: 'List tokens with the apiTokens query.' });
  }
}

/** Too many operations for one token, or too many failed authentications from one address. */
export class RateLimitedError extends DomainError {
  constructor(message: string, retryAfterSeconds: number) {
    super('RATE_LIMITED', message, { retryAfterSeconds });
  }
}
