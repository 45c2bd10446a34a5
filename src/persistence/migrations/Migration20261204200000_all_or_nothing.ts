import { Migration } from '@mikro-orm/migrations';

/**
 * `taskq_refuse_unless(ok, detail)`: lets one statement be all or nothing without a transaction
 * around it. completeTasks completes its whole batch in one autocommit statement (a named
 * prepared statement, planned once per connection) and calls this in its final SELECT: when a
 * task of the batch was refused, it raises SQLSTATE TQ409 with the refused id as DETAIL, and the
 * statement's changes (the completions, promotions and event rows made by its other CTEs) are
 * rolled back with it. Before, completeTasks needed BEGIN, an unprepared statement planned per
 * call, and COMMIT: three round trips and a plan for every batch.
 */
export class Migration20261204200000_all_or_nothing extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create function taskq_refuse_unless(ok boolean, detail text) returns boolean language plpgsql volatile as $$
      begin
        if not ok then
          raise exception using errcode = 'TQ409', message = 'taskq: statement refused', detail = coalesce(detail, '');
        end if;
        return true;
      end $$;`);
  }

  override async down(): Promise<void> {
    this.addSql('drop function if exists taskq_refuse_unless(boolean, text);');
  }
}
