import { Field, InputType, Int } from 'type-graphql';
import { JSONResolver } from '../scalars';

/** updateTask's fields: omit one to keep it. Status, priority and dependencies have their own mutations. */
@InputType()
export class UpdateTaskInput {
  @Field(() => String, { nullable: true, description: 'Re-estimates the complexity when changed' })
  title?: string | null;

  @Field(() => String, { nullable: true, description: 'null clears it; re-estimates the complexity when changed' })
  description?: string | null;

  @Field(() => JSONResolver, { nullable: true, description: 'Replaces the whole context' })
  context?: Record<string, unknown> | null;

  @Field(() => JSONResolver, {
    nullable: true,
    description: 'Merged into the stored metadata: each key replaces the stored one, a key set to null is removed. metadata.deadline (ISO time) keeps the effective priority in step',
  })
  metadata?: Record<string, unknown> | null;

  @Field(() => String, { nullable: true, description: 'null lets any worker take the task' })
  assignedTo?: string | null;

  @Field(() => Int, { nullable: true })
  maxRetries?: number | null;
}
