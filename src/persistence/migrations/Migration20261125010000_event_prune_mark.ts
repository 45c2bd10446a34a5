import { Migration } from '@mikro-orm/migrations';

/**
 * Where pruning of the event log has reached, so a subscriber resuming from a cursor older than
 * that is told its events are gone instead of silently missing them.
 */
export class Migration20261125010000_event_prune_mark extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table "task_event_pruned" (
        "singleton" boolean primary key default true check ("singleton"),
        "txid" xid8 not null,
        "id" bigint not null,
        "pruned_at" timestamptz not null default now()
      );`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists "task_event_pruned";');
  }
}
