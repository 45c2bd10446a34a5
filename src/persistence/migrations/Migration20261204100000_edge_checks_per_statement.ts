import { Migration } from '@mikro-orm/migrations';

/**
 * The dependency edges' two foreign keys become statement-level triggers that keep the same
 * rules (issue #17). A foreign key checks each inserted row on its own: a createTasks of a
 * 1,000-task DAG with 9,900 edges ran 19,800 lookups-and-locks, over half of the statement's time
 * in PostgreSQL (EXPLAIN ANALYZE: 78 of 140 ms). The triggers see the statement's rows at once
 * (transition tables) and do one indexed lookup for all of them.
 *
 * - `task_dependency_tasks_exist`, after each INSERT or UPDATE statement on task_dependency: every
 *   task an edge names must exist, else the statement fails with foreign_key_violation (23503), as
 *   before. The tasks are locked FOR KEY SHARE, the lock a foreign key check takes: a concurrent
 *   delete of one of them waits for this transaction, and an edge to a task deleted meanwhile
 *   finds it gone and fails.
 * - `task_delete_edges`, after each DELETE statement on task: the edges from and to the deleted
 *   tasks go with them (was ON DELETE CASCADE on both columns), in two set-based deletes.
 * - `task_truncate_edges`: TRUNCATE task empties task_dependency too (a foreign key refused a
 *   TRUNCATE of task alone; nothing may be left pointing at tasks that are gone). With DELETE: a
 *   TRUNCATE inside the trigger fails when the statement truncates task_dependency itself
 *   (`truncate task_event, task_dependency, task`, the bench's reset), which then finds it empty.
 * Task ids never change (no UPDATE of task.id anywhere; the foreign keys refused one).
 */
export class Migration20261204100000_edge_checks_per_statement extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create function task_dependency_tasks_exist() returns trigger language plpgsql as $$
      declare
        named uuid[] := array(select task_id from new_edges union select depends_on_id from new_edges);
        found int;
      begin
        -- An index lookup for the whole set (= any), whatever the planner thinks of a transition table's size.
        select count(*) into found from (select t.id from task t where t.id = any(named) for key share of t) locked;
        if found < cardinality(named) then
          raise foreign_key_violation using
            message = format('task_dependency: %s of the tasks its new edges name do not exist', cardinality(named) - found),
            constraint = 'task_dependency_tasks_exist',
            table = 'task_dependency';
        end if;
        return null;
      end $$;`);
    this.addSql(`
      create trigger task_dependency_tasks_exist_insert after insert on task_dependency
        referencing new table as new_edges for each statement execute function task_dependency_tasks_exist();`);
    this.addSql(`
      create trigger task_dependency_tasks_exist_update after update on task_dependency
        referencing new table as new_edges for each statement execute function task_dependency_tasks_exist();`);
    this.addSql(`
      create function task_delete_edges() returns trigger language plpgsql as $$
      declare
        gone uuid[] := array(select id from old_tasks);
      begin
        if cardinality(gone) > 0 then
          delete from task_dependency where task_id = any(gone);
          delete from task_dependency where depends_on_id = any(gone);
        end if;
        return null;
      end $$;`);
    this.addSql(`
      create trigger task_delete_edges after delete on task
        referencing old table as old_tasks for each statement execute function task_delete_edges();`);
    this.addSql(`
      create function task_truncate_edges() returns trigger language plpgsql as $$
      begin
        delete from task_dependency;
        return null;
      end $$;`);
    this.addSql(`create trigger task_truncate_edges after truncate on task for each statement execute function task_truncate_edges();`);
    this.addSql(`
      alter table "task_dependency"
        drop constraint "task_dependency_task_id_fkey",
        drop constraint "task_dependency_depends_on_id_fkey";`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger task_truncate_edges on task;`);
    this.addSql(`drop function task_truncate_edges();`);
    this.addSql(`drop trigger task_delete_edges on task;`);
    this.addSql(`drop function task_delete_edges();`);
    this.addSql(`drop trigger task_dependency_tasks_exist_update on task_dependency;`);
    this.addSql(`drop trigger task_dependency_tasks_exist_insert on task_dependency;`);
    this.addSql(`drop function task_dependency_tasks_exist();`);
    this.addSql(`
      alter table "task_dependency"
        add constraint "task_dependency_task_id_fkey" foreign key ("task_id") references "task" ("id") on delete cascade,
        add constraint "task_dependency_depends_on_id_fkey" foreign key ("depends_on_id") references "task" ("id") on delete cascade;`);
  }
}
