import { Field, ID, Int, ObjectType } from 'type-graphql';
import { TaskProgressType } from './task.type';

@ObjectType('ProgressEvent', { description: 'A progress report of a running attempt (not a status change); coalesced to a few per second per task' })
export class ProgressEventType {
  @Field(() => ID)
  taskId!: string;

  @Field(() => ID)
  projectId!: string;

  @Field(() => Int)
  attempt!: number;

  @Field(() => TaskProgressType)
  progress!: TaskProgressType;
}
