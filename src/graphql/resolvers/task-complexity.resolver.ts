import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { GqlContext } from '../context';
import { TaskType } from '../types/task.type';
import { ComplexityEstimateType } from '../types/complexity.type';
import type { Task } from '../../persistence/entities/task.entity';

/**
 * Task.complexity: the estimate stored on the row at creation (and refreshed by updateTask).
 * It is a column of the task itself, so a list of N tasks costs no extra statement; tasks from
 * the claim and completion paths come without it and load it in one batched statement.
 */
@Resolver(() => TaskType)
export class TaskComplexityResolver {
  @FieldResolver(() => ComplexityEstimateType, { nullable: true, description: 'The stored complexity estimate; null for a task without one' })
  async complexity(@Root() task: Task, @Ctx() ctx: GqlContext): Promise<ComplexityEstimateType | null> {
    // Undefined: the task came from a hot path (claim, complete) that leaves the column out.
    const stored = task.complexity === undefined ? ((await ctx.loaders.complexityById.load(task.id)) as Task['complexity']) : task.complexity;
    return stored ? ComplexityEstimateType.from(stored, task.id) : null;
  }
}
