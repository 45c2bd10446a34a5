import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { JSONResolver } from '../scalars';

export const OverlapPolicyEnum = { SKIP: 'SKIP', ALLOW: 'ALLOW' } as const;
export const CatchUpPolicyEnum = { NONE: 'NONE', LATEST: 'LATEST' } as const;

registerEnumType(OverlapPolicyEnum, {
  name: 'OverlapPolicy',
  description: 'SKIP: a tick creates nothing while the previous run of the schedule is unfinished. ALLOW: every tick creates a task.',
});
registerEnumType(CatchUpPolicyEnum, {
  name: 'CatchUpPolicy',
  description: 'After downtime: LATEST fires the most recent missed tick once; NONE skips missed ticks.',
});

@InputType({ description: 'The task each tick creates (its runAt is the tick).' })
export class ScheduleTaskTemplate {
  @Field()
  title!: string;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => Int, { nullable: true })
  priority?: number | null;

  @Field(() => JSONResolver, { nullable: true })
  context?: Record<string, unknown> | null;

  @Field(() => JSONResolver, { nullable: true })
  metadata?: Record<string, unknown> | null;

  @Field(() => Int, { nullable: true })
  maxRetries?: number | null;

  @Field(() => String, { nullable: true })
  assignedTo?: string | null;

  @Field(() => Int, { nullable: true })
  timeoutSeconds?: number | null;

  @Field(() => String, { nullable: true })
  concurrencyKey?: string | null;
}

@InputType()
export class UpsertScheduleInput {
  @Field(() => ID)
  projectId!: string;

  @Field({ description: 'Unique within the project: upserting an existing name replaces its settings' })
  name!: string;

  @Field({ description: '5 fields (minute hour day month weekday), or 6 with seconds first ("*/2 * * * * *")' })
  cron!: string;

  @Field(() => String, { nullable: true, description: 'IANA time zone the cron is read in; default UTC' })
  timezone?: string | null;

  @Field(() => ScheduleTaskTemplate)
  task!: ScheduleTaskTemplate;

  @Field(() => OverlapPolicyEnum, { nullable: true, description: 'default SKIP' })
  overlap?: 'SKIP' | 'ALLOW' | null;

  @Field(() => CatchUpPolicyEnum, { nullable: true, description: 'default LATEST' })
  catchUp?: 'NONE' | 'LATEST' | null;

  @Field(() => Boolean, { nullable: true, description: 'default false' })
  paused?: boolean | null;
}

@ObjectType('Schedule')
export class ScheduleType {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  projectId!: string;

  @Field()
  name!: string;

  @Field()
  cron!: string;

  @Field()
  timezone!: string;

  @Field(() => OverlapPolicyEnum)
  overlap!: 'SKIP' | 'ALLOW';

  @Field(() => CatchUpPolicyEnum)
  catchUp!: 'NONE' | 'LATEST';

  @Field()
  paused!: boolean;

  @Field(() => Date, { nullable: true, description: 'The next tick; null while paused' })
  nextRunAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'The tick of the last run (or the time of the last triggerSchedule)' })
  lastRunAt!: Date | null;
}
