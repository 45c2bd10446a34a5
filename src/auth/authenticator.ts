import { createHash, timingSafeEqual } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../persistence/sql/run';
import { ApiTokenRow, FIND_TOKEN_BY_HASH_SQL, TOUCH_TOKEN_SQL } from '../persistence/sql/api-token.sql';
import { ApiTokenInfo, toApiToken } from './api-token-row';
import { UnauthenticatedError } from './errors';
import { globalAdmin, Principal } from './principal';
import { hashToken, isWellFormedToken } from './token-format';

export interface AuthenticatorOptions {
  em: EntityManager;
  authMode: 'on' | 'off';
  adminToken: string | null;
  now: () => Date;
  /** How long a checked token is trusted without a database read (revocations evict at once). */
  cacheMs?: number;
  onError?: (e: unknown) => void;
}

/** A bearer value longer than this is refused unread (no token format comes close). */
const MAX_CREDENTIAL_LENGTH = 512;
const TOUCH_INTERVAL_MS = 60_000;

interface Cached {
  token: ApiTokenInfo;
  until: number;
}

/**
 * Turns an `Authorization` value into a Principal, or throws UNAUTHENTICATED.
 *
 * Cost per call once a token is cached: one SHA-256 and one Map lookup; no database read. A
 * string that is not a well-formed token (typo, another format) is refused before any I/O. An
 * unknown well-formed token costs one indexed read (failed attempts are limited per client
 * address by the caller: auth-failure-limiter.ts). lastUsedAt is written at most once a minute
 * per token, after the answer, never on the caller's path.
 */
export class Authenticator {
  private readonly cache = new Map<string, Cached>();
  private readonly lastTouched = new Map<string, number>();
  private readonly adminDigest: Buffer | null;
  private readonly cacheMs: number;

  constructor(private readonly options: AuthenticatorOptions) {
    this.adminDigest = options.adminToken === null ? null : digest(options.adminToken);
    this.cacheMs = options.cacheMs ?? 5_000;
  }

  /** `header`: the Authorization header or connectionParams.authorization value. */
  async authenticate(header: unknown): Promise<Principal> {
    if (this.options.authMode === 'off') return AUTH_OFF;
    const credential = bearer(header);
    if (this.adminDigest !== null && credential.length === this.options.adminToken!.length && timingSafeEqual(digest(credential), this.adminDigest)) {
      return ENV_ADMIN;
    }
    if (!isWellFormedToken(credential)) {
      throw new UnauthenticatedError('The token is not a valid API token (tsk_…): check it was copied whole', 'malformed');
    }
    const hash = hashToken(credential);
    const now = this.options.now().getTime();
    let cached = this.cache.get(hash);
    if (!cached || cached.until <= now) {
      const [row] = await sql<ApiTokenRow>(this.options.em, FIND_TOKEN_BY_HASH_SQL, [hash]);
      if (!row) {
        this.cache.delete(hash);
        throw new UnauthenticatedError('Unknown API token', 'invalid');
      }
      cached = { token: toApiToken(row), until: now + this.cacheMs };
      this.cache.set(hash, cached);
      if (this.cache.size > 10_000) this.cache.delete(this.cache.keys().next().value!);
    }
    const token = cached.token;
    if (token.revokedAt !== null) throw new UnauthenticatedError('This API token was revoked', 'revoked');
    if (token.expiresAt !== null && token.expiresAt.getTime() <= now) throw new UnauthenticatedError('This API token has expired', 'expired');
    this.touch(token, now);
    return { role: token.role, projectId: token.projectId, tokenId: token.id, tokenName: token.name, expiresAt: token.expiresAt };
  }

  /** A revocation (here or on another instance): the next use of that token reads the database. */
  forget(tokenId: string): void {
    for (const [hash, entry] of this.cache) if (entry.token.id === tokenId) this.cache.delete(hash);
  }

  forgetAll(): void {
    this.cache.clear();
  }

  private touch(token: ApiTokenInfo, now: number): void {
    const last = this.lastTouched.get(token.id) ?? token.lastUsedAt?.getTime() ?? 0;
    if (now - last < TOUCH_INTERVAL_MS) return;
    this.lastTouched.set(token.id, now);
    if (this.lastTouched.size > 10_000) this.lastTouched.delete(this.lastTouched.keys().next().value!);
    setImmediate(() => {
      sql(this.options.em, TOUCH_TOKEN_SQL, [token.id]).catch((e: unknown) => this.options.onError?.(e));
    });
  }
}

const AUTH_OFF = Object.freeze(globalAdmin('AUTH_MODE=off'));
const ENV_ADMIN = Object.freeze(globalAdmin('ADMIN_TOKEN'));

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** The token out of "Bearer <token>" (the scheme is case-insensitive); anything else is refused unread. */
function bearer(header: unknown): string {
  if (header === undefined || header === null || header === '') {
    throw new UnauthenticatedError('No API token: send "Authorization: Bearer <token>"', 'missing');
  }
  if (typeof header !== 'string' || header.length > MAX_CREDENTIAL_LENGTH + 10) {
    throw new UnauthenticatedError('The Authorization value is not "Bearer <token>"', 'malformed');
  }
  const m = /^bearer +(\S+) *$/i.exec(header);
  if (!m) throw new UnauthenticatedError('The Authorization value is not "Bearer <token>"', 'malformed');
  return m[1]!;
}
