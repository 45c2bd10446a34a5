import { DomainError } from '../domain/errors';
import type { Authenticator } from './authenticator';
import { UnauthenticatedError } from './errors';
import type { Principal } from './principal';
import { AuthFailureLimiter, OperationRateLimiter } from './rate-limits';

/**
 * The front door both transports use: address limit, token check, per-token rate limit. HTTP
 * answers a refusal with 401 (429 when rate limited); graphql-ws closes the socket with 4403.
 */
export class AccessGate {
  constructor(
    readonly authenticator: Authenticator,
    private readonly failures: AuthFailureLimiter,
    private readonly operations: OperationRateLimiter,
  ) {}

  async admit(authorization: unknown, address: string): Promise<Principal> {
    this.failures.check(address);
    try {
      return await this.authenticator.authenticate(authorization);
    } catch (e) {
      if (e instanceof UnauthenticatedError) this.failures.failed(address);
      throw e;
    }
  }

  /** One operation by `principal` (HTTP request, WebSocket subscribe). */
  operation(principal: Principal): void {
    this.operations.hit(principal.tokenId ?? principal.tokenName ?? 'anonymous');
  }
}

export function httpStatusOf(e: unknown): number {
  if (e instanceof DomainError && e.code === 'RATE_LIMITED') return 429;
  return 401;
}
