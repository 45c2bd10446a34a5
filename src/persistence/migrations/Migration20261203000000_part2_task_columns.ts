import { Migration } from '@mikro-orm/migrations';

/**
 * The columns Part 2 (fencing, time, flow control) adds to tasks and projects, in one place so
 * the features built on them share one shape:
 *
 * - `attempt`: 0 until the first claim, +1 at every claim; fencing compares it.
 * - `run_at`: not before this time; a task whose dependencies are done waits as SCHEDULED until
 *   then (`task_scheduled_idx` lets the sweeper find the next due one from the head of an index).
 * - `timeout_seconds`: an attempt running longer than this after its claim is ended.
 * - `idempotency_key`: unique per project through a constraint (not a check-then-insert), so
 *   concurrent duplicates from any number of instances resolve in the database.
 * - `concurrency_key`: tasks sharing a key count against that key's limit.
 * - `progress`: the last progress report `{ percent, message, at }` of the running attempt.
 * - `project.paused`: claims take nothing from a paused project.
 */
export class Migration20261203000000_part2_task_columns extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      alter table "task"
        add column "attempt" int not null default 0,
        add column "run_at" timestamptz null,
        add column "timeout_seconds" int null,
        add column "idempotency_key" text null,
        add column "concurrency_key" text null,
        add column "progress" jsonb null,
        add constraint "task_attempt_valid" check ("attempt" >= 0),
        add constraint "task_timeout_positive" check ("timeout_seconds" is null or "timeout_seconds" > 0),
        add constraint "task_idempotency_key_unique" unique ("project_id", "idempotency_key");`);
    this.addSql(`update "task" set "attempt" = "retry_count" + 1 where "started_at" is not null;`);
    this.addSql(`alter table "task" drop constraint "task_status_valid";`);
    this.addSql(`
      alter table "task" add constraint "task_status_valid"
        check ("status" in ('PENDING','READY','RUNNING','BLOCKED','COMPLETED','FAILED','CANCELLED','RETRYING','SCHEDULED'));`);
    this.addSql(`create index "task_scheduled_idx" on "task" ("run_at") where "status" = 'SCHEDULED';`);
    this.addSql(`alter table "project" add column "paused" boolean not null default false;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "project" drop column "paused";`);
    this.addSql(`drop index if exists "task_scheduled_idx";`);
    this.addSql(`alter table "task" drop constraint "task_status_valid";`);
    this.addSql(`
      alter table "task" add constraint "task_status_valid"
        check ("status" in ('PENDING','READY','RUNNING','BLOCKED','COMPLETED','FAILED','CANCELLED','RETRYING'));`);
    this.addSql(`
      alter table "task" drop column "attempt", drop column "run_at", drop column "timeout_seconds",
        drop column "idempotency_key", drop column "concurrency_key", drop column "progress";`);
  }
}
