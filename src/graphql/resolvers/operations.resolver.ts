import { Arg, Ctx, ID, Int, Query, Resolver } from 'type-graphql';
import { FrontierGraph, QueueDepthPoint, StatusCount, ThroughputPoint } from '../types/operations.type';
import { frontier, queueDepth, taskCounts, throughput } from '../../scheduler/operations-queries';
import type { GqlContext } from '../context';

/** The operator dashboard's series: throughput and queue depth per minute, and today's counts. */
@Resolver()
export class OperationsResolver {
  @Query(() => [ThroughputPoint], { description: 'Created, claimed, completed, failed and retried per minute over the last `minutes` (default 60, at most 1440), oldest first, for one project or all.' })
  throughput(@Arg('projectId', () => ID, { nullable: true }) projectId: string | null, @Arg('minutes', () => Int, { defaultValue: 60 }) minutes: number, @Ctx() ctx: GqlContext) {
    return throughput(ctx.em, projectId, minutes);
  }

  @Query(() => [QueueDepthPoint], { description: 'How many tasks were in each status at the end of every minute of the last `minutes` (default 60, at most 1440), oldest first.' })
  queueDepth(@Arg('projectId', () => ID, { nullable: true }) projectId: string | null, @Arg('minutes', () => Int, { defaultValue: 60 }) minutes: number, @Ctx() ctx: GqlContext) {
    return queueDepth(ctx.em, projectId, minutes);
  }

  @Query(() => [StatusCount], { description: "The project's tasks by status, every status listed (one grouped read, cheap at any size)." })
  taskCounts(@Arg('projectId', () => ID) projectId: string, @Ctx() ctx: GqlContext) {
    return taskCounts(ctx.em, projectId);
  }

  @Query(() => FrontierGraph, { description: 'For large projects: the tasks in flight or in trouble (at most `limit`, default 300, up to 2000) and their immediate neighbours (at most twice `limit` more), instead of the whole graph.' })
  dependencyFrontier(@Arg('projectId', () => ID) projectId: string, @Arg('limit', () => Int, { defaultValue: 300 }) limit: number, @Ctx() ctx: GqlContext) {
    return frontier(ctx.em, projectId, limit);
  }
}
