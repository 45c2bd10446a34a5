import { Migration } from '@mikro-orm/migrations';

/**
 * Projects, tasks, the dependency edge table and the event log.
 *
 * - `seq` is the creation order (ids are random UUIDs and a batch shares one created_at): the
 *   claim's "oldest first" tie-break and the tasks connection's cursor.
 * - `task_claim_idx` is partial over the claimable statuses and ordered exactly like the claim
 *   query (src/persistence/sql/claim.sql.ts), so a claim reads the head of a small index no
 *   matter how many COMPLETED rows the table holds.
 * - `task_dependency` is an edge table rather than a JSON list: dependents are found through
 *   `task_dependency_depends_on_idx` when a task completes (promotion) or fails (blocking).
 * - `task_event.txid` lets readers follow the log without gaps (see events.sql.ts).
 */
export class Migration20261125000000_initial extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table "project" (
        "id" uuid not null primary key,
        "name" text not null,
        "created_at" timestamptz not null default now(),
        constraint "project_name_unique" unique ("name"),
        constraint "project_name_not_blank" check (length(btrim("name")) > 0)
      );`);
    this.addSql(`
      create table "task" (
        "id" uuid not null primary key,
        "seq" bigint generated always as identity,
        "project_id" uuid not null references "project" ("id") on delete cascade,
        "title" text not null,
        "description" text null,
        "priority" smallint not null default 5,
        "effective_priority" smallint not null default 5,
        "status" text not null default 'PENDING',
        "context" jsonb not null default '{}',
        "result" jsonb null,
        "metadata" jsonb not null default '{}',
        "retry_count" int not null default 0,
        "max_retries" int not null default 3,
        "assigned_to" text null,
        "parent_task_id" uuid null references "task" ("id") on delete set null,
        "worker_id" text null,
        "lease_expires_at" timestamptz null,
        "available_at" timestamptz null,
        "deadline_at" timestamptz null,
        "retry_policy" jsonb null,
        "complexity" jsonb null,
        "created_at" timestamptz not null default now(),
        "updated_at" timestamptz not null default now(),
        "started_at" timestamptz null,
        "completed_at" timestamptz null,
        constraint "task_priority_range" check ("priority" between 1 and 10),
        constraint "task_status_valid" check ("status" in ('PENDING','READY','RUNNING','BLOCKED','COMPLETED','FAILED','CANCELLED','RETRYING')),
        constraint "task_retries_valid" check ("retry_count" >= 0 and "max_retries" >= 0),
        constraint "task_title_not_blank" check (length(btrim("title")) > 0),
        constraint "task_json_objects" check (jsonb_typeof("context") = 'object' and jsonb_typeof("metadata") = 'object'),
        constraint "task_running_has_lease" check ("status" <> 'RUNNING' or ("worker_id" is not null and "lease_expires_at" is not null))
      );`);
    this.addSql(`create index "task_project_seq_idx" on "task" ("project_id", "seq");`);
    this.addSql(`create index "task_parent_idx" on "task" ("parent_task_id") where "parent_task_id" is not null;`);
    this.addSql(`create index "task_project_status_idx" on "task" ("project_id", "status");`);
    // The claim order: highest effective priority, then oldest. Partial: only claimable rows.
    this.addSql(`
      create index "task_claim_idx" on "task" ("project_id", "effective_priority" desc, "seq")
        where "status" in ('READY', 'RETRYING');`);
    // The sweepers: expired leases, due retries, deadlines entering the boost window.
    this.addSql(`create index "task_lease_idx" on "task" ("lease_expires_at") where "status" = 'RUNNING';`);
    this.addSql(`create index "task_retry_due_idx" on "task" ("available_at") where "status" = 'RETRYING';`);
    this.addSql(`create index "task_deadline_idx" on "task" ("deadline_at") where "deadline_at" is not null and "status" in ('READY', 'RETRYING');`);

    this.addSql(`
      create table "task_dependency" (
        "task_id" uuid not null references "task" ("id") on delete cascade,
        "depends_on_id" uuid not null references "task" ("id") on delete cascade,
        primary key ("task_id", "depends_on_id"),
        constraint "task_dependency_not_self" check ("task_id" <> "depends_on_id")
      );`);
    this.addSql(`create index "task_dependency_depends_on_idx" on "task_dependency" ("depends_on_id");`);

    this.addSql(`
      create table "task_event" (
        "id" bigint generated always as identity primary key,
        "txid" xid8 not null default pg_current_xact_id(),
        "task_id" uuid not null,
        "project_id" uuid not null,
        "previous_status" text null,
        "status" text not null,
        "at" timestamptz not null default clock_timestamp()
      );`);
    this.addSql(`create index "task_event_order_idx" on "task_event" ("txid", "id");`);
    this.addSql(`create index "task_event_at_idx" on "task_event" ("at");`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists "task_event";');
    this.addSql('drop table if exists "task_dependency";');
    this.addSql('drop table if exists "task";');
    this.addSql('drop table if exists "project";');
  }
}
