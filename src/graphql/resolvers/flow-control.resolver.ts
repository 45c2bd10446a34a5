import { Arg, Ctx, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { assertId } from '../../domain/task-input';
import { findProject } from '../../scheduler/projects';
import { BulkResultType, ConcurrencyLimitType } from '../types/flow-control.type';
import { ProjectType } from '../types/project.type';
import { TaskFilter } from '../types/task-inputs';
import type { GqlContext } from '../context';

/** Flow control (issue #16): pause / resume, concurrency limits, bulk cancel / retry. Thin. */
@Resolver()
export class FlowControlResolver {
  @Mutation(() => ProjectType, { description: 'Claims on the project return nothing until resumeProject; everything else works' })
  pauseProject(@Arg('id', () => ID) id: string, @Ctx() ctx: GqlContext) {
    return ctx.scheduler.setProjectPaused(ctx.em, id, true);
  }

  @Mutation(() => ProjectType)
  resumeProject(@Arg('id', () => ID) id: string, @Ctx() ctx: GqlContext) {
    return ctx.scheduler.setProjectPaused(ctx.em, id, false);
  }

  @Mutation(() => Int, {
    nullable: true,
    description: 'At most `limit` tasks with concurrencyKey = key RUNNING at once in the project, across all instances; a null limit removes it. Returns the limit.',
  })
  setConcurrencyLimit(
    @Arg('projectId', () => ID) projectId: string,
    @Arg('key') key: string,
    @Ctx() ctx: GqlContext,
    @Arg('limit', () => Int, { nullable: true }) limit?: number | null,
  ) {
    return ctx.scheduler.setConcurrencyLimit(ctx.em, { projectId, key, limit });
  }

  @Query(() => [ConcurrencyLimitType], { description: "The project's concurrency limits, with what runs and waits under each" })
  concurrencyLimits(@Arg('projectId', () => ID) projectId: string, @Ctx() ctx: GqlContext) {
    return ctx.scheduler.listConcurrencyLimits(ctx.em, projectId);
  }

  @Mutation(() => BulkResultType, {
    description: 'Cancels every task of the filter (project required) not yet COMPLETED or CANCELLED, in batches; dependents as cancelTask. dryRun only counts.',
  })
  cancelTasks(
    @Arg('filter', () => TaskFilter) filter: TaskFilter,
    @Arg('reason') reason: string,
    @Ctx() ctx: GqlContext,
    @Arg('cascade', () => Boolean, { nullable: true }) cascade?: boolean | null,
    @Arg('dryRun', () => Boolean, { nullable: true }) dryRun?: boolean | null,
  ) {
    return ctx.scheduler.cancelTasks(ctx.em, { filter, reason, cascade, dryRun });
  }

  @Mutation(() => BulkResultType, { description: 'Retries every FAILED or BLOCKED task of the filter (project required) as retryTask does, in batches. dryRun only counts.' })
  retryTasks(@Arg('filter', () => TaskFilter) filter: TaskFilter, @Ctx() ctx: GqlContext, @Arg('dryRun', () => Boolean, { nullable: true }) dryRun?: boolean | null) {
    return ctx.scheduler.retryTasks(ctx.em, { filter, dryRun });
  }

  @Subscription(() => ProjectType, {
    description: 'Fires with the project as it is now whenever it is paused or resumed (on any instance); all projects without projectId.',
    subscribe: ({ args, context }) => (context as GqlContext).projectChanges.subscribe(args.projectId ? assertId(args.projectId as string, 'projectId') : null),
  })
  async projectChanged(@Root() projectId: string, @Ctx() ctx: GqlContext, @Arg('projectId', () => ID, { nullable: true }) _projectId?: string) {
    ctx.em.clear();
    return findProject(ctx.em, projectId);
  }
}
