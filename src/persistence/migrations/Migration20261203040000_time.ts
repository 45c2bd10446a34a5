import { Migration } from '@mikro-orm/migrations';

/**
 * Time (issue #15): attempt timeouts, cron schedules, retention.
 *
 * - `task_timeout_at(started_at, timeout_seconds)`: an attempt's deadline. `timestamptz +
 *   interval` is only STABLE in general (days and months depend on the zone), but an interval of
 *   seconds alone does not, so the function is truthfully IMMUTABLE and may back an index.
 * - `task_timeout_idx`: running attempts with a timeout by deadline; the sweeper takes the due
 *   ones and the next deadline from its head.
 * - `task_finished_idx`: finished tasks by status and age, where retention looks for candidates.
 * - `schedule`: cron schedules, one row each (unique name per project). `next_run_at` is the
 *   next tick to fire; `schedule_due_idx` lets the sweeper find due schedules and sleep until the
 *   next one. `last_task_id` is the last run (the SKIP overlap policy looks at it).
 */
export class Migration20261203040000_time extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create function "task_timeout_at"(started timestamptz, seconds int) returns timestamptz
        language sql immutable parallel safe
        as $$ select started + make_interval(secs => seconds) $$;`);
    this.addSql(`
      create index "task_timeout_idx" on "task" ("task_timeout_at"("started_at", "timeout_seconds"))
        where "status" = 'RUNNING' and "timeout_seconds" is not null;`);
    this.addSql(`
      create index "task_finished_idx" on "task" ("status", "updated_at", "id")
        where "status" in ('COMPLETED', 'FAILED', 'CANCELLED');`);
    this.addSql(`
      create table "schedule" (
        "id" uuid not null primary key,
        "project_id" uuid not null references "project" ("id") on delete cascade,
        "name" text not null,
        "cron" text not null,
        "timezone" text not null default 'UTC',
        "task" jsonb not null,
        "overlap" text not null default 'SKIP' check ("overlap" in ('SKIP', 'ALLOW')),
        "catch_up" text not null default 'LATEST' check ("catch_up" in ('NONE', 'LATEST')),
        "paused" boolean not null default false,
        "next_run_at" timestamptz null,
        "last_run_at" timestamptz null,
        "last_task_id" uuid null,
        "created_at" timestamptz not null default now(),
        "updated_at" timestamptz not null default now(),
        constraint "schedule_name_unique" unique ("project_id", "name")
      );`);
    this.addSql(`create index "schedule_due_idx" on "schedule" ("next_run_at") where not "paused";`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "schedule";`);
    this.addSql(`drop index if exists "task_finished_idx";`);
    this.addSql(`drop index if exists "task_timeout_idx";`);
    this.addSql(`drop function if exists "task_timeout_at"(timestamptz, int);`);
  }
}
