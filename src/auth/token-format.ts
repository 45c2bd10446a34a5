import { createHash, randomBytes } from 'node:crypto';

/**
 * API token format: `tsk_` + 32 random base62 characters (190 bits) + a 6-character checksum of
 * the first 36. The prefix lets secret scanners spot a leaked token; the checksum lets the server
 * refuse a typo (or any string of another format) without a database read. Only the SHA-256 of
 * a token is stored: a token has enough entropy that a slow hash (bcrypt, argon2) adds nothing.
 */
export const TOKEN_PREFIX = 'tsk_';
const BODY_LENGTH = 32;
const CHECKSUM_LENGTH = 6;
export const TOKEN_LENGTH = TOKEN_PREFIX.length + BODY_LENGTH + CHECKSUM_LENGTH;
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SHAPE = /^tsk_[0-9A-Za-z]{38}$/;

/** 6 base62 characters of the first 32 bits of SHA-256 (62^6 > 2^32: no truncation). */
function checksum(text: string): string {
  let n = createHash('sha256').update(text).digest().readUInt32BE(0);
  let out = '';
  for (let i = 0; i < CHECKSUM_LENGTH; i++) {
    out = BASE62[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out;
}

function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      // 248 = 4 * 62: rejecting the bytes above keeps every character equally likely.
      if (byte < 248 && out.length < length) out += BASE62[byte % 62];
    }
  }
  return out;
}

export function mintToken(): string {
  const head = TOKEN_PREFIX + randomBase62(BODY_LENGTH);
  return head + checksum(head);
}

/** Shape and checksum: true for a token this server could have minted. No I/O. */
export function isWellFormedToken(token: string): boolean {
  if (token.length !== TOKEN_LENGTH || !SHAPE.test(token)) return false;
  return checksum(token.slice(0, TOKEN_LENGTH - CHECKSUM_LENGTH)) === token.slice(TOKEN_LENGTH - CHECKSUM_LENGTH);
}

/** What is stored and looked up: hex SHA-256 of the whole token. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The part shown in lists so a person can tell tokens apart (prefix + 4 characters). */
export function displayPrefix(token: string): string {
  return token.slice(0, TOKEN_PREFIX.length + 4);
}
