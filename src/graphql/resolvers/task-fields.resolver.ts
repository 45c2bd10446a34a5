import { Ctx, FieldResolver, ID, Resolver, Root } from 'type-graphql';
import { TaskType } from '../types/task.type';
import type { GqlContext } from '../context';
import type { Task } from '../../persistence/entities/task.entity';

/** Relation fields, batched through the request's DataLoaders (constant SQL per list). */
@Resolver(() => TaskType)
export class TaskFieldsResolver {
  @FieldResolver(() => [ID], { description: 'Ids of the tasks this one waits for' })
  dependencies(@Root() task: Task, @Ctx() ctx: GqlContext) {
    return ctx.loaders.dependencyIds.load(task.id);
  }

  @FieldResolver(() => [TaskType])
  async dependencyTasks(@Root() task: Task, @Ctx() ctx: GqlContext) {
    const ids = await ctx.loaders.dependencyIds.load(task.id);
    return (await ctx.loaders.taskById.loadMany(ids)).filter((t): t is Task => t !== null && !(t instanceof Error));
  }

  @FieldResolver(() => [TaskType], { description: 'Tasks waiting on this one' })
  async dependents(@Root() task: Task, @Ctx() ctx: GqlContext) {
    const ids = await ctx.loaders.dependentIds.load(task.id);
    return (await ctx.loaders.taskById.loadMany(ids)).filter((t): t is Task => t !== null && !(t instanceof Error));
  }
}
