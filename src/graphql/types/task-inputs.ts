import { Field, Float, ID, InputType, Int } from 'type-graphql';
import { JSONResolver } from '../scalars';
import { TaskStatusEnum } from './task-status.enum';
import type { TaskStatus } from '../../domain/task-status';

@InputType({ description: 'Backoff for automatic retries: initialDelaySeconds x backoffCoefficient^retryCount, capped, ±jitter' })
export class RetryPolicyInput {
  @Field(() => Float, { nullable: true, description: 'default 60' })
  initialDelaySeconds?: number;

  @Field(() => Float, { nullable: true, description: 'default 2' })
  backoffCoefficient?: number;

  @Field(() => Float, { nullable: true, description: 'default 3600' })
  maxDelaySeconds?: number;

  @Field(() => Float, { nullable: true, description: '0..1, default 0' })
  jitter?: number;
}

@InputType()
export class CreateTaskInput {
  @Field(() => ID)
  projectId!: string;

  @Field()
  title!: string;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => Int, { nullable: true, description: '1..10, default 5, higher runs first' })
  priority?: number | null;

  @Field(() => [ID], { nullable: true, description: 'Ids of existing tasks this one waits for' })
  dependencies?: string[] | null;

  @Field(() => String, { nullable: true, description: 'A name other inputs of the same createTasks call can refer to in dependencyKeys' })
  key?: string | null;

  @Field(() => [String], { nullable: true })
  dependencyKeys?: string[] | null;

  @Field(() => JSONResolver, { nullable: true })
  context?: Record<string, unknown> | null;

  @Field(() => JSONResolver, { nullable: true, description: 'Free JSON; metadata.deadline (ISO time) raises the effective priority within its last hour' })
  metadata?: Record<string, unknown> | null;

  @Field(() => Int, { nullable: true, description: 'default 3' })
  maxRetries?: number | null;

  @Field(() => String, { nullable: true })
  assignedTo?: string | null;

  @Field(() => ID, { nullable: true })
  parentTaskId?: string | null;

  @Field(() => RetryPolicyInput, { nullable: true })
  retryPolicy?: RetryPolicyInput | null;

  @Field(() => Date, { nullable: true, description: 'Not before this time: with its dependencies done and runAt ahead, the task is SCHEDULED until then. Not with delaySeconds.' })
  runAt?: Date | null;

  @Field(() => Int, { nullable: true, description: 'Not before now + this many seconds (0 or more). Not with runAt.' })
  delaySeconds?: number | null;

  @Field(() => Int, { nullable: true, description: 'An attempt still running this long after its claim is ended like an expired lease (1 or more)' })
  timeoutSeconds?: number | null;

  @Field(() => String, { nullable: true, description: 'Unique per project: a create with a key that exists returns the existing task and creates nothing' })
  idempotencyKey?: string | null;

  @Field(() => String, { nullable: true, description: 'Tasks sharing a key count against its concurrency limit' })
  concurrencyKey?: string | null;
}

@InputType()
export class CompleteTaskInput {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true })
  workerId?: string | null;

  @Field(() => JSONResolver, { nullable: true })
  result?: unknown;

  @Field(() => Int, { nullable: true, description: 'Fencing: the attempt the worker claimed (Task.attempt); a later attempt refuses it with LEASE_NOT_HELD' })
  attempt?: number | null;
}

@InputType()
export class HeartbeatInput {
  @Field(() => ID)
  id!: string;

  @Field()
  workerId!: string;

  @Field(() => Int, { nullable: true, description: 'Fencing: the attempt the worker claimed (Task.attempt)' })
  attempt?: number | null;

  @Field(() => Int, { nullable: true })
  leaseSeconds?: number | null;
}

@InputType()
export class ReleaseInput {
  @Field(() => ID)
  id!: string;

  @Field()
  workerId!: string;

  @Field(() => Int, { nullable: true, description: 'Fencing: the attempt the worker claimed (Task.attempt)' })
  attempt?: number | null;
}

@InputType()
export class TaskFilter {
  @Field(() => ID, { nullable: true })
  projectId?: string | null;

  @Field(() => [TaskStatusEnum], { nullable: true })
  statuses?: TaskStatus[] | null;

  @Field(() => String, { nullable: true })
  assignedTo?: string | null;

  @Field(() => ID, { nullable: true })
  parentTaskId?: string | null;
}
