import type { EntityManager } from '@mikro-orm/postgresql';
import { assertId } from '../domain/task-input';
import { sql } from '../persistence/sql/run';
import { ApiTokenRow, LIST_TOKENS_SQL } from '../persistence/sql/api-token.sql';
import { ApiTokenInfo, toApiToken } from '../auth/api-token-row';

/** apiTokens(projectId): every token (or one project's), oldest first; secrets are never stored, so never shown. */
export async function listApiTokens(em: EntityManager, projectId: string | null | undefined): Promise<ApiTokenInfo[]> {
  const project = projectId == null ? null : assertId(projectId, 'projectId');
  const rows = await sql<ApiTokenRow>(em, LIST_TOKENS_SQL, [project, project]);
  return rows.map(toApiToken);
}
