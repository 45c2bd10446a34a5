import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import type { TaskStatus } from '../../domain/task-status';

/**
 * The event log: one row per committed status transition, written inside the transaction that
 * made it. `txid` (the writing transaction's xid8) gives readers a gap-free order: see
 * src/persistence/sql/events.sql.ts.
 */
@Entity({ tableName: 'task_event' })
export class TaskEvent {
  [OptionalProps]?: 'id' | 'txid' | 'at';

  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @Property({ type: 'text', columnType: 'xid8', persist: false })
  txid!: string;

  @Property({ type: 'uuid' })
  taskId!: string;

  @Property({ type: 'uuid' })
  projectId!: string;

  @Property({ type: 'text', nullable: true })
  previousStatus: TaskStatus | null = null;

  @Property({ type: 'text' })
  status!: TaskStatus;

  @Property({ type: 'datetime', columnType: 'timestamptz', persist: false })
  at!: Date;
}
