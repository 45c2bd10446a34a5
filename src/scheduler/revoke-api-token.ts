import type { EntityManager } from '@mikro-orm/postgresql';
import { assertId } from '../domain/task-input';
import { sql } from '../persistence/sql/run';
import { ApiTokenRow, REVOKE_TOKEN_SQL } from '../persistence/sql/api-token.sql';
import { ApiTokenInfo, toApiToken } from '../auth/api-token-row';
import { TokenNotFoundError } from '../auth/errors';
import type { Principal } from '../auth/principal';
import { TOKEN_REVOKED_CHANNEL } from '../auth/revocation';

/**
 * revokeApiToken: sets revokedAt (idempotent) and, in the same transaction, notifies every
 * instance (delivered at commit): each drops the token from its cache and closes its sockets.
 * A project-scoped admin sees and revokes only its project's tokens.
 */
export async function revokeApiToken(em: EntityManager, revoker: Principal, id: string, afterCommit: (tokenId: string) => void): Promise<ApiTokenInfo> {
  const tokenId = assertId(id, 'id');
  const row = await em.transactional(async (tem) => {
    const [updated] = await sql<ApiTokenRow>(tem as EntityManager, REVOKE_TOKEN_SQL, [tokenId, revoker.projectId, revoker.projectId]);
    if (!updated) throw new TokenNotFoundError(tokenId);
    await sql(tem as EntityManager, 'select pg_notify(?, ?)', [TOKEN_REVOKED_CHANNEL, tokenId]);
    return updated;
  });
  afterCommit(tokenId);
  return toApiToken(row);
}
