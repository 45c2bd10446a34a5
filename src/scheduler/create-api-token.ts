import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { BadInputError, ProjectNotFoundError } from '../domain/errors';
import { ForbiddenError } from '../auth/errors';
import { assertId, assertText } from '../domain/task-input';
import { sql } from '../persistence/sql/run';
import { ApiTokenRow, INSERT_TOKEN_SQL } from '../persistence/sql/api-token.sql';
import { ApiTokenInfo, toApiToken } from '../auth/api-token-row';
import { isRole, Principal, Role } from '../auth/principal';
import { displayPrefix, hashToken, mintToken } from '../auth/token-format';

export interface CreateApiTokenArgs {
  name: string;
  role: Role;
  projectId?: string | null;
  expiresInDays?: number | null;
  neverExpires?: boolean | null;
}

export const DEFAULT_TOKEN_DAYS = 90;
const MAX_TOKEN_DAYS = 3_650;

/**
 * createApiToken: the plaintext is returned here once and never stored (only its SHA-256).
 * A non-admin token is bound to one project; an ADMIN token with no project is a global admin,
 * which only a global admin can create. A project-scoped admin creates tokens of its project.
 */
export async function createApiToken(em: EntityManager, creator: Principal, args: CreateApiTokenArgs, now: Date): Promise<{ token: string; apiToken: ApiTokenInfo }> {
  const name = assertText(args.name, 'name', 100).trim();
  if (name === '') throw new BadInputError('name must not be empty', { field: 'name' });
  if (!isRole(args.role)) throw new BadInputError(`role must be one of ADMIN, PRODUCER, WORKER, VIEWER`, { field: 'role' });
  const projectId = args.projectId == null ? null : assertId(args.projectId, 'projectId');
  if (projectId === null && args.role !== 'ADMIN') {
    throw new BadInputError(`A ${args.role} token is bound to one project: give projectId`, { field: 'projectId' });
  }
  if (projectId === null && creator.projectId !== null) throw new ForbiddenError('createApiToken without projectId (a global admin token)', 'project-scoped ADMIN', ['global ADMIN']);
  if (args.neverExpires && args.expiresInDays != null) {
    throw new BadInputError('Give expiresInDays or neverExpires, not both', { field: 'expiresInDays' });
  }
  const days = args.expiresInDays ?? DEFAULT_TOKEN_DAYS;
  if (!Number.isInteger(days) || days < 1 || days > MAX_TOKEN_DAYS) {
    throw new BadInputError(`expiresInDays must be a whole number from 1 to ${MAX_TOKEN_DAYS} (or neverExpires: true), got ${days}`, { field: 'expiresInDays' });
  }
  const expiresAt = args.neverExpires ? null : new Date(now.getTime() + days * 86_400_000);
  if (projectId !== null) {
    const [found] = await sql(em, 'select 1 from project where id = ?', [projectId]);
    if (!found) throw new ProjectNotFoundError(projectId);
  }
  const token = mintToken();
  const [row] = await sql<ApiTokenRow>(em, INSERT_TOKEN_SQL, [randomUUID(), name, args.role, projectId, displayPrefix(token), hashToken(token), expiresAt]);
  return { token, apiToken: toApiToken(row!) };
}
