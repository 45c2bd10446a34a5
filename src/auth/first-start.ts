import { mkdirSync, writeFileSync, chmodSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../persistence/sql/run';
import { GLOBAL_ADMIN_EXISTS_SQL, INSERT_TOKEN_SQL } from '../persistence/sql/api-token.sql';
import { displayPrefix, hashToken, mintToken } from './token-format';

/**
 * The first start needs no setup and is not open to the network: with no usable global admin
 * token in the database, one is minted (never expiring), written to `<dataDir>/admin-token`
 * (mode 0600) and returned so the caller prints it once. Several instances starting together
 * mint one: an advisory lock serialises the check and the insert.
 * Returns null when a global admin token already exists.
 */
export async function ensureAdminToken(em: EntityManager, dataDir: string): Promise<{ token: string; file: string } | null> {
  const minted = await em.transactional(async (tem) => {
    await sql(tem as EntityManager, `select pg_advisory_xact_lock(hashtext('taskq:first-admin-token'))`);
    const [{ found }] = (await sql<{ found: boolean }>(tem as EntityManager, GLOBAL_ADMIN_EXISTS_SQL)) as [{ found: boolean }];
    if (found) return null;
    const token = mintToken();
    await sql(tem as EntityManager, INSERT_TOKEN_SQL, [randomUUID(), 'first admin (created at first start)', 'ADMIN', null, displayPrefix(token), hashToken(token), null]);
    return token;
  });
  if (minted === null) return null;
  mkdirSync(dataDir, { recursive: true });
  const file = path.resolve(dataDir, 'admin-token');
  writeFileSync(file, minted + '\n', { mode: 0o600 });
  chmodSync(file, 0o600); // an existing file keeps its mode on write
  return { token: minted, file };
}

/** The banner printed once, on the start that minted the token. */
export function adminTokenBanner(token: string, file: string, pagesUrl: string): string {
  const line = '='.repeat(78);
  return [
    line,
    'No admin token existed, so one was created. It is shown this once:',
    '',
    `  ${token}`,
    '',
    `Sign in to the web pages:  ${pagesUrl}#token=${token}`,
    `Saved (mode 0600) in:      ${file}`,
    'Send it as "Authorization: Bearer <token>". Create narrower tokens with createApiToken',
    '(README "Security"); revoke this one with revokeApiToken once you have another admin token.',
    line,
    '',
  ].join('\n');
}
