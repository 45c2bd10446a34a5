import { Migration } from '@mikro-orm/migrations';

/**
 * The idempotency key's uniqueness as a partial unique index (only rows that carry a key), in
 * place of the table constraint over every row. Most tasks have no key, and a unique constraint
 * indexes their NULLs too: every claim, completion, retry and bulk change (a status change is
 * never a HOT update) paid one more index entry for them. Creation resolves duplicates the same
 * way, with `on conflict (project_id, idempotency_key) where idempotency_key is not null`.
 */
export class Migration20261204000000_idempotency_partial extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "task" drop constraint "task_idempotency_key_unique";`);
    this.addSql(`create unique index "task_idempotency_key_unique" on "task" ("project_id", "idempotency_key") where "idempotency_key" is not null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "task_idempotency_key_unique";`);
    this.addSql(`alter table "task" add constraint "task_idempotency_key_unique" unique ("project_id", "idempotency_key");`);
  }
}
