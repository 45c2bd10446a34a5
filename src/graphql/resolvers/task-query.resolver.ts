import { Arg, Ctx, ID, Int, Query, Resolver } from 'type-graphql';
import { TaskConnectionType, TaskType } from '../types/task.type';
import { TaskFilter } from '../types/task-inputs';
import { DeadlockReportType } from '../types/deadlock.type';
import { findDeadlocks, listTasks, resolveDependencies } from '../../scheduler/task-queries';
import { requireProject } from '../../scheduler/projects';
import { assertId } from '../../domain/task-input';
import type { GqlContext } from '../context';

@Resolver()
export class TaskQueryResolver {
  @Query(() => TaskType, { nullable: true })
  task(@Arg('id', () => ID) id: string, @Ctx() ctx: GqlContext) {
    return ctx.loaders.taskById.load(assertId(id, 'id'));
  }

  @Query(() => TaskConnectionType, { description: 'Tasks in creation order, Relay-style: pass pageInfo.endCursor as `after` for the next page (first: 1..500, default 50)' })
  async tasks(
    @Ctx() ctx: GqlContext,
    @Arg('filter', () => TaskFilter, { nullable: true }) filter?: TaskFilter,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<TaskConnectionType> {
    const page = await listTasks(ctx.em, filter ?? {}, first ?? 50, after);
    for (const t of page.tasks) ctx.loaders.taskById.prime(t.id, t);
    return {
      edges: page.tasks.map((node, i) => ({ node, cursor: page.cursors[i]! })),
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.cursors[page.cursors.length - 1] ?? null },
      totalCount: page.totalCount,
    };
  }

  @Query(() => [TaskType], { description: 'Every transitive dependency of the task, in an order they can run' })
  resolveDependencies(@Arg('taskId', () => ID) taskId: string, @Ctx() ctx: GqlContext) {
    return resolveDependencies(ctx.em, taskId);
  }

  @Query(() => DeadlockReportType)
  async detectDeadlocks(@Arg('projectId', () => ID) projectId: string, @Ctx() ctx: GqlContext): Promise<DeadlockReportType> {
    await requireProject(ctx.em, projectId);
    const report = await findDeadlocks(ctx.em, projectId);
    const tasks = await ctx.loaders.taskById.loadMany(report.stalled.map((s) => s.taskId));
    return {
      cycles: report.cycles,
      stalled: report.stalled.map((s, i) => ({ task: tasks[i] as TaskType, reason: s.reason, blockedBy: s.blockedBy })),
    };
  }
}
