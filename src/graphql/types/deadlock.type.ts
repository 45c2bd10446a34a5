import { Field, ID, ObjectType } from 'type-graphql';
import { TaskType } from './task.type';

@ObjectType('StalledTask')
export class StalledTaskType {
  @Field(() => TaskType)
  task!: TaskType;

  @Field()
  reason!: string;

  @Field(() => [ID])
  blockedBy!: string[];
}

@ObjectType('DeadlockReport')
export class DeadlockReportType {
  @Field(() => [[ID]], { description: 'Each cycle as the task ids in dependency order' })
  cycles!: string[][];

  @Field(() => [StalledTaskType])
  stalled!: StalledTaskType[];
}
