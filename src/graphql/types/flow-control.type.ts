import { Field, Int, ObjectType } from 'type-graphql';

@ObjectType('BulkResult', { description: 'What cancelTasks / retryTasks did (or, with dryRun, would do)' })
export class BulkResultType {
  @Field(() => Int, { description: 'Tasks the filter matches, in any status' })
  matched!: number;

  @Field(() => Int, {
    description:
      'Tasks changed: those of the filter the action applies to, plus dependents cancelled (cascade) or unblocked. With dryRun: how many of the filter it would change.',
  })
  changed!: number;

  @Field()
  dryRun!: boolean;
}

@ObjectType('ConcurrencyLimit', { description: 'At most `limit` tasks with this concurrencyKey RUNNING at once in the project' })
export class ConcurrencyLimitType {
  @Field()
  key!: string;

  @Field(() => Int)
  limit!: number;

  @Field(() => Int, { description: 'Tasks with the key RUNNING now' })
  running!: number;

  @Field(() => Int, { description: 'Tasks with the key waiting to be claimed (READY or RETRYING)' })
  waiting!: number;
}
