import type { ApiTokenRow } from '../persistence/sql/api-token.sql';
import { isRole, Role } from './principal';

/** An API token as the API shows it (never its secret or hash). */
export interface ApiTokenInfo {
  id: string;
  name: string;
  role: Role;
  projectId: string | null;
  prefix: string;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const date = (v: string | Date | null): Date | null => (v === null ? null : v instanceof Date ? v : new Date(v));

export function toApiToken(row: ApiTokenRow): ApiTokenInfo {
  if (!isRole(row.role)) throw new Error(`api_token ${row.id} has an unknown role ${row.role}`);
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    projectId: row.project_id,
    prefix: row.prefix,
    createdAt: date(row.created_at)!,
    expiresAt: date(row.expires_at),
    lastUsedAt: date(row.last_used_at),
    revokedAt: date(row.revoked_at),
  };
}
