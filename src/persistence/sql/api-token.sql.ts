/**
 * API token statements (src/auth). Tokens are looked up by the SHA-256 of the token
 * (`token_hash`, unique index) on a cache miss only: the authenticator keeps a checked token a
 * few seconds, so a worker's hot loop reads nothing here.
 */
export const API_TOKEN_COLUMNS = `id::text, name, role, project_id::text, prefix, created_at, expires_at, last_used_at, revoked_at`;

export const FIND_TOKEN_BY_HASH_SQL = `select ${API_TOKEN_COLUMNS} from api_token where token_hash = ?`;

/** lastUsedAt, written at most once a minute per token (the guard keeps racing instances from writing twice). */
export const TOUCH_TOKEN_SQL = `
  update api_token set last_used_at = now()
   where id = ? and (last_used_at is null or last_used_at < now() - interval '1 minute')`;

export const INSERT_TOKEN_SQL = `
  insert into api_token (id, name, role, project_id, prefix, token_hash, expires_at)
  values (?, ?, ?, ?, ?, ?, ?)
  returning ${API_TOKEN_COLUMNS}`;

/** Idempotent: revoking a revoked token keeps its first revocation time. */
export const REVOKE_TOKEN_SQL = `
  update api_token set revoked_at = coalesce(revoked_at, now())
   where id = ? and (?::uuid is null or project_id = ?::uuid)
  returning ${API_TOKEN_COLUMNS}`;

export const LIST_TOKENS_SQL = `
  select ${API_TOKEN_COLUMNS} from api_token
   where (?::uuid is null or project_id = ?::uuid)
   order by created_at, id`;

/** The first start: is there a usable global admin token? */
export const GLOBAL_ADMIN_EXISTS_SQL = `
  select exists (
    select 1 from api_token
     where role = 'ADMIN' and project_id is null and revoked_at is null and (expires_at is null or expires_at > now())
  ) as found`;

/** Of the given token ids, those no longer usable (a LISTEN reconnect re-checks open sockets). */
export const UNUSABLE_TOKENS_SQL = `
  select id::text from api_token
   where id = any(?::uuid[]) and (revoked_at is not null or (expires_at is not null and expires_at <= now()))`;

export interface ApiTokenRow {
  id: string;
  name: string;
  role: string;
  project_id: string | null;
  prefix: string;
  created_at: string | Date;
  expires_at: string | Date | null;
  last_used_at: string | Date | null;
  revoked_at: string | Date | null;
}
