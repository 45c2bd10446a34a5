import { Field, ID, ObjectType } from 'type-graphql';
import { TaskStatusEnum } from './task-status.enum';
import { TaskType } from './task.type';
import type { TaskStatus } from '../../domain/task-status';

@ObjectType('TaskStatusEvent')
export class TaskStatusEventType {
  @Field({ description: 'Opaque, increasing; pass it as afterCursor to resume after this event' })
  cursor!: string;

  @Field(() => ID)
  taskId!: string;

  @Field(() => ID)
  projectId!: string;

  @Field(() => TaskStatusEnum, { nullable: true, description: 'null when the event is the task\'s creation' })
  previousStatus!: TaskStatus | null;

  @Field(() => TaskStatusEnum)
  status!: TaskStatus;

  @Field(() => Date)
  at!: Date;

  @Field(() => TaskType)
  task!: TaskType;
}
