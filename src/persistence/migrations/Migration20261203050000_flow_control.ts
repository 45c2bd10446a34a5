import { Migration } from '@mikro-orm/migrations';

/**
 * Flow control (issue #16): per-project concurrency limits and what the claim needs to honour
 * them strictly (see src/persistence/sql/claim.sql.ts for the strategy).
 *
 * - `concurrency_limit (project_id, key, limit)`: at most `limit` tasks of the project with that
 *   `concurrency_key` RUNNING at once. A key without a row is unlimited.
 * - `task_running_key_idx`: the RUNNING tasks that carry a key, per project and key; the claim
 *   counts them for every limited key, so the count reads a handful of index entries.
 * - `claim_key_allowance(project)`: locks the project's limit rows in key order and then counts,
 *   in a new snapshot, how many more tasks each key may start. It is a VOLATILE plpgsql function
 *   on purpose: under READ COMMITTED each statement inside it takes a fresh snapshot, so the
 *   count taken after the lock is granted sees every claim committed by whoever held the lock
 *   before (a plain subquery of the claim would count with the claim's older snapshot and let
 *   two concurrent claims both take the last free place).
 */
export class Migration20261203050000_flow_control extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table "concurrency_limit" (
        "project_id" uuid not null references "project" ("id") on delete cascade,
        "key" text not null,
        "limit" int not null,
        "updated_at" timestamptz not null default now(),
        primary key ("project_id", "key"),
        constraint "concurrency_limit_valid" check ("limit" >= 0)
      );`);
    this.addSql(`
      create index "task_running_key_idx" on "task" ("project_id", "concurrency_key")
        where "status" = 'RUNNING' and "concurrency_key" is not null;`);
    this.addSql(`
      create function claim_key_allowance(p_project uuid) returns table ("key" text, allowed int)
      language plpgsql volatile as $$
      begin
        perform 1 from concurrency_limit l where l.project_id = p_project order by l.key for update;
        return query
          select l.key, l."limit" - (select count(*)::int from task t
                                       where t.project_id = p_project and t.concurrency_key = l.key and t.status = 'RUNNING')
            from concurrency_limit l
           where l.project_id = p_project;
      end
      $$;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop function if exists claim_key_allowance(uuid);`);
    this.addSql(`drop index if exists "task_running_key_idx";`);
    this.addSql(`drop table if exists "concurrency_limit";`);
  }
}
