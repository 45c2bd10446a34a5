import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { JSONResolver } from '../scalars';
import { TaskStatusEnum } from './task-status.enum';
import type { TaskStatus } from '../../domain/task-status';

@ObjectType('TaskProgress')
export class TaskProgressType {
  @Field(() => Float, { description: '0..100' })
  percent!: number;

  @Field(() => String, { nullable: true })
  message!: string | null;

  /** Stored as an ISO string in the task's JSON; the DateTime scalar serialises both. */
  @Field(() => Date)
  at!: Date | string;
}

/**
 * The Task as clients see it. Resolvers return persistence entities; the relation fields
 * (dependencies, dependencyTasks, dependents, complexity) are field resolvers batched through
 * the request's DataLoaders (src/graphql/resolvers/task-fields.resolver.ts).
 */
@ObjectType('Task')
export class TaskType {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  projectId!: string;

  @Field()
  title!: string;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field(() => Int, { description: '1..10, higher runs first' })
  priority!: number;

  @Field(() => Int, { description: 'The priority the claim orders by: +2 when metadata.deadline is within an hour, +1 when other tasks wait on this one' })
  effectivePriority!: number;

  @Field(() => TaskStatusEnum)
  status!: TaskStatus;

  @Field(() => JSONResolver)
  context!: Record<string, unknown>;

  @Field(() => JSONResolver, { nullable: true })
  result!: unknown;

  @Field(() => JSONResolver)
  metadata!: Record<string, unknown>;

  @Field(() => Int)
  retryCount!: number;

  @Field(() => Int)
  maxRetries!: number;

  @Field(() => String, { nullable: true })
  assignedTo!: string | null;

  @Field(() => ID, { nullable: true })
  parentTaskId!: string | null;

  @Field(() => String, { nullable: true })
  workerId!: string | null;

  @Field(() => Date, { nullable: true })
  leaseExpiresAt!: Date | null;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date)
  updatedAt!: Date;

  @Field(() => Date, { nullable: true })
  startedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  completedAt!: Date | null;

  @Field(() => Int, { description: 'The current attempt: 0 before the first claim, +1 at every claim. Pass it back as `attempt` (fencing) so a stale attempt changes nothing' })
  attempt!: number;

  @Field(() => Date, { nullable: true, description: 'Not before this time: with its dependencies done the task waits as SCHEDULED until then' })
  runAt!: Date | null;

  @Field(() => Int, { nullable: true, description: 'An attempt running longer than this after its claim is ended like an expired lease' })
  timeoutSeconds!: number | null;

  @Field(() => String, { nullable: true, description: 'Unique per project: creating a task with a known key returns the existing task' })
  idempotencyKey!: string | null;

  @Field(() => String, { nullable: true, description: 'Tasks sharing a key count against its concurrency limit (setConcurrencyLimit)' })
  concurrencyKey!: string | null;

  @Field(() => TaskProgressType, { nullable: true, description: "The running attempt's last progress report" })
  progress!: TaskProgressType | null;
}

@ObjectType('TaskEdge')
export class TaskEdgeType {
  @Field()
  cursor!: string;

  @Field(() => TaskType)
  node!: TaskType;
}

@ObjectType('PageInfo')
export class PageInfoType {
  @Field()
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

@ObjectType('TaskConnection')
export class TaskConnectionType {
  @Field(() => [TaskEdgeType])
  edges!: TaskEdgeType[];

  @Field(() => PageInfoType)
  pageInfo!: PageInfoType;

  @Field(() => Int)
  totalCount!: number;
}
