import { Migration } from '@mikro-orm/migrations';

/**
 * Access control (src/auth): API tokens, and the token a task was claimed with.
 *
 * - `api_token` keeps only the SHA-256 of a token (hex), never the token. `prefix` (the first
 *   characters) lets a person tell tokens apart in lists. `project_id` null = a global admin.
 * - `task.claimed_by_token_id`: set by the claim statement; the guarded updates of a WORKER
 *   (heartbeat, complete, fail, decompose) require it to be their own token, so a worker token
 *   that guesses another worker's workerId is refused with LEASE_NOT_HELD. No foreign key: the
 *   claim stays one statement with no extra lock, and a deleted token simply matches nobody.
 */
export class Migration20261203010000_api_tokens extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table "api_token" (
        "id" uuid not null primary key,
        "name" text not null,
        "role" text not null check ("role" in ('ADMIN', 'PRODUCER', 'WORKER', 'VIEWER')),
        "project_id" uuid null references "project" ("id") on delete cascade,
        "prefix" text not null,
        "token_hash" text not null unique,
        "created_at" timestamptz not null default now(),
        "expires_at" timestamptz null,
        "last_used_at" timestamptz null,
        "revoked_at" timestamptz null,
        constraint "api_token_scope" check ("role" = 'ADMIN' or "project_id" is not null)
      );`);
    this.addSql(`create index "api_token_project_idx" on "api_token" ("project_id", "created_at");`);
    this.addSql(`alter table "task" add column "claimed_by_token_id" uuid null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "task" drop column "claimed_by_token_id";`);
    this.addSql(`drop table "api_token";`);
  }
}
