import { FieldResolver, Resolver, Root } from 'type-graphql';
import { TaskType } from '../types/task.type';
import { ComplexityEstimateType } from '../types/complexity.type';
import type { Task } from '../../persistence/entities/task.entity';

/**
 * Task.complexity: the estimate stored on the row at creation (and refreshed by updateTask).
 * It is a column of the task itself, so a list of N tasks costs no extra statement.
 */
@Resolver(() => TaskType)
export class TaskComplexityResolver {
  @FieldResolver(() => ComplexityEstimateType, { nullable: true, description: 'The stored complexity estimate; null for a task without one' })
  complexity(@Root() task: Task): ComplexityEstimateType | null {
    return task.complexity ? ComplexityEstimateType.from(task.complexity, task.id) : null;
  }
}
