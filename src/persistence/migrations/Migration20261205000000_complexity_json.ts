import { Migration } from '@mikro-orm/migrations';

/**
 * `task.complexity` becomes `json` (text kept as written) instead of `jsonb` (issue #17). The
 * estimate is about 1.1 kB of JSON per task that nothing queries inside except one `->>` (the
 * graph's estimated minutes, which json has too); it is written once per task and read whole.
 * Parsing it into jsonb was the largest share of a createTasks' Bind in PostgreSQL: for 1,000
 * tasks 16.5 ms as jsonb, 6.2 ms as json (3.0 ms of it the text itself). Rewrites the table.
 */
export class Migration20261205000000_complexity_json extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "task" alter column "complexity" type json using "complexity"::json;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "task" alter column "complexity" type jsonb using "complexity"::jsonb;`);
  }
}
