import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, Float, ID, Info, Int, Mutation, Resolver } from 'type-graphql';
import { TaskType } from '../types/task.type';
import { HeartbeatInput, ReleaseInput } from '../types/task-inputs';
import type { GqlContext } from '../context';
import { selectedFields } from '../selected-fields';
import { ATTEMPT } from './task-mutation.resolver';
import { leaseGuardOf } from '../../auth/principal';

/** What a worker does with the leases it holds besides completing or failing: renew, hand back, report. */
@Resolver()
export class LeaseResolver {
  @Mutation(() => [TaskType], {
    description: 'Renews many leases in one statement. Returns the tasks whose lease was renewed; a lease that was lost (expired, cancelled, stale attempt) is absent from the list and unchanged.',
  })
  heartbeatTasks(@Arg('inputs', () => [HeartbeatInput]) inputs: HeartbeatInput[], @Ctx() ctx: GqlContext, @Info() info: GraphQLResolveInfo) {
    return ctx.scheduler.heartbeatTasks(ctx.statementEm, inputs, { fields: selectedFields(info) }, leaseGuardOf(ctx.principal));
  }

  @Mutation(() => TaskType, { description: 'RUNNING -> READY at once without charging a retry (retryCount unchanged); for a worker that stops.' })
  releaseTask(
    @Arg('id', () => ID) id: string,
    @Arg('workerId') workerId: string,
    @Ctx() ctx: GqlContext,
    @Info() info: GraphQLResolveInfo,
    @Arg('attempt', () => Int, { nullable: true, description: ATTEMPT }) attempt?: number,
  ) {
    return ctx.scheduler.releaseTask(ctx.statementEm, { id, workerId, attempt, fields: selectedFields(info), guard: leaseGuardOf(ctx.principal) });
  }

  @Mutation(() => [TaskType], {
    description: 'releaseTask for many in one statement. Returns the tasks released; one whose lease the caller no longer holds is absent and unchanged.',
  })
  releaseTasks(@Arg('inputs', () => [ReleaseInput]) inputs: ReleaseInput[], @Ctx() ctx: GqlContext, @Info() info: GraphQLResolveInfo) {
    return ctx.scheduler.releaseTasks(ctx.statementEm, inputs, { fields: selectedFields(info) }, leaseGuardOf(ctx.principal));
  }

  @Mutation(() => TaskType, { description: 'Sets Task.progress of the running attempt and raises a taskProgress event (not a status change).' })
  reportProgress(
    @Arg('id', () => ID) id: string,
    @Arg('workerId') workerId: string,
    @Arg('percent', () => Float) percent: number,
    @Ctx() ctx: GqlContext,
    @Arg('attempt', () => Int, { nullable: true, description: ATTEMPT }) attempt?: number,
    @Arg('message', () => String, { nullable: true }) message?: string,
  ) {
    return ctx.scheduler.reportProgress(ctx.statementEm, { id, workerId, attempt, percent, message, guard: leaseGuardOf(ctx.principal) });
  }
}
