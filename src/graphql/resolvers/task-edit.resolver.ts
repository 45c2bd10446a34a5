import { leaseGuardOf } from '../../auth/principal';
import { Arg, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import { TaskType } from '../types/task.type';
import { UpdateTaskInput } from '../types/update-task.input';
import type { GqlContext } from '../context';

/** Thin: changes to a task's content and shape (edit, decomposition) through the scheduler. */
@Resolver()
export class TaskEditResolver {
  @Mutation(() => TaskType, { description: 'Edits a task that is not COMPLETED or CANCELLED; only the given fields change' })
  updateTask(@Arg('id', () => ID) id: string, @Arg('input', () => UpdateTaskInput) input: UpdateTaskInput, @Ctx() ctx: GqlContext) {
    return ctx.scheduler.updateTask(ctx.em, { id, input });
  }

  @Mutation(() => [TaskType], {
    description: "Turns the task's suggested subtasks into child tasks with the suggested dependencies; the task then waits for them. Once per task",
  })
  decomposeTask(@Arg('id', () => ID) id: string, @Ctx() ctx: GqlContext) {
    return ctx.scheduler.decomposeTask(ctx.em, id, leaseGuardOf(ctx.principal));
  }
}
