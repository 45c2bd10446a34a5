import { Entity, Index, PrimaryKey } from '@mikro-orm/core';

/** Edge: `taskId` waits for `dependsOnId`. Primary key (taskId, dependsOnId); reverse index for dependents. */
@Entity({ tableName: 'task_dependency' })
@Index({ name: 'task_dependency_depends_on_idx', properties: ['dependsOnId'] })
export class TaskDependency {
  @PrimaryKey({ type: 'uuid' })
  taskId!: string;

  @PrimaryKey({ type: 'uuid' })
  dependsOnId!: string;
}
