import { Field, Int, ObjectType } from 'type-graphql';
import { TaskStatusEnum } from './task-status.enum';
import { TaskType } from './task.type';
import type { TaskStatus } from '../../domain/task-status';

@ObjectType({ description: 'Transitions in one minute (from the event log): what the throughput chart draws.' })
export class ThroughputPoint {
  @Field(() => Date, { description: 'Start of the minute.' })
  minute!: Date;
  @Field(() => Int, { description: 'Tasks created.' })
  created!: number;
  @Field(() => Int, { description: 'Claims (transitions into RUNNING).' })
  claimed!: number;
  @Field(() => Int)
  completed!: number;
  @Field(() => Int, { description: 'Final failures (into FAILED).' })
  failed!: number;
  @Field(() => Int, { description: 'Failed attempts set to retry (into RETRYING).' })
  retried!: number;
}

@ObjectType()
export class StatusCount {
  @Field(() => TaskStatusEnum)
  status!: TaskStatus;
  @Field(() => Int)
  count!: number;
}

@ObjectType({ description: 'The count of every status at the end of one minute.' })
export class QueueDepthPoint {
  @Field(() => Date, { description: 'Start of the minute; counts are as of its end (the last point: now).' })
  minute!: Date;
  @Field(() => [StatusCount])
  counts!: StatusCount[];
}

@ObjectType({ description: 'A focused view of a large graph: tasks in flight or in trouble (the core) and their immediate neighbours.' })
export class FrontierGraph {
  @Field(() => [TaskType], { description: 'The core tasks first, then their neighbours; read `dependencies` for the edges (some point outside this set).' })
  tasks!: TaskType[];
  @Field(() => [String], { description: 'Ids of the core: RUNNING, FAILED, RETRYING, READY, BLOCKED (and SCHEDULED) tasks, most urgent first.' })
  coreIds!: string[];
  @Field(() => Int, { description: 'Core tasks in the project, including any the limit left out.' })
  coreTotal!: number;
  @Field({ description: 'True when the limit left core tasks or neighbours out.' })
  truncated!: boolean;
}
