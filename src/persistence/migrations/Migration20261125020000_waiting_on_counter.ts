import { Migration } from '@mikro-orm/migrations';

/**
 * `waiting_on`: how many of a task's dependencies are not COMPLETED yet. Completion decrements
 * it on each dependent and promotes the ones that reach zero in the same statement, so a
 * completion is one autocommit round trip instead of a four-statement transaction. UPDATE
 * re-reads the newest committed row version when it waits on a lock, so two dependencies
 * completing at once both count.
 */
export class Migration20261125020000_waiting_on_counter extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "task" add column "waiting_on" int not null default 0;`);
    this.addSql(`
      update "task" t set "waiting_on" = (
        select count(*) from "task_dependency" d join "task" dep on dep."id" = d."depends_on_id"
         where d."task_id" = t."id" and dep."status" <> 'COMPLETED');`);
    this.addSql(`alter table "task" add constraint "task_waiting_on_valid" check ("waiting_on" >= 0);`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "task" drop column "waiting_on";`);
  }
}
