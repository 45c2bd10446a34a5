import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, ID, Info, Int, Mutation, Resolver } from 'type-graphql';
import { TaskType } from '../types/task.type';
import { CompleteTaskInput, CreateTaskInput } from '../types/task-inputs';
import { JSONResolver } from '../scalars';
import type { GqlContext } from '../context';
import { selectedFields } from '../selected-fields';
import { leaseGuardOf } from '../../auth/principal';

/** Thin: arguments in, the scheduler's use case, the task out. */
@Resolver()
export class TaskMutationResolver {
  @Mutation(() => TaskType)
  createTask(@Arg('input', () => CreateTaskInput) input: CreateTaskInput, @Ctx() ctx: GqlContext) {
    return ctx.scheduler.createTask(ctx.em, input);
  }

  @Mutation(() => [TaskType], { description: 'A whole DAG in one transaction; inputs refer to each other by key. All or nothing.' })
  createTasks(@Arg('inputs', () => [CreateTaskInput]) inputs: CreateTaskInput[], @Ctx() ctx: GqlContext) {
    return ctx.scheduler.createTasks(ctx.em, inputs);
  }

  @Mutation(() => TaskType, { nullable: true, description: 'Takes the highest effective-priority READY task (or a due RETRYING one); null when none is ready' })
  async claimNextTask(
    @Arg('projectId', () => ID) projectId: string,
    @Arg('workerId') workerId: string,
    @Ctx() ctx: GqlContext,
    @Info() info: GraphQLResolveInfo,
    @Arg('assignedTo', () => String, { nullable: true }) assignedTo?: string,
    @Arg('leaseSeconds', () => Int, { nullable: true }) leaseSeconds?: number,
  ) {
    const [task] = await ctx.scheduler.claimTasks(ctx.statementEm, { projectId, workerId, assignedTo, leaseSeconds, limit: 1, fields: selectedFields(info), tokenId: ctx.principal.tokenId });
    return task ?? null;
  }

  @Mutation(() => [TaskType])
  claimTasks(
    @Arg('projectId', () => ID) projectId: string,
    @Arg('workerId') workerId: string,
    @Arg('limit', () => Int) limit: number,
    @Ctx() ctx: GqlContext,
    @Info() info: GraphQLResolveInfo,
    @Arg('assignedTo', () => String, { nullable: true }) assignedTo?: string,
    @Arg('leaseSeconds', () => Int, { nullable: true }) leaseSeconds?: number,
  ) {
    return ctx.scheduler.claimTasks(ctx.statementEm, { projectId, workerId, assignedTo, leaseSeconds, limit, fields: selectedFields(info), tokenId: ctx.principal.tokenId });
  }

  @Mutation(() => TaskType)
  heartbeatTask(
    @Arg('id', () => ID) id: string,
    @Arg('workerId') workerId: string,
    @Ctx() ctx: GqlContext,
    @Info() info: GraphQLResolveInfo,
    @Arg('leaseSeconds', () => Int, { nullable: true }) leaseSeconds?: number,
  ) {
    return ctx.scheduler.heartbeatTask(ctx.statementEm, { id, workerId, leaseSeconds, fields: selectedFields(info), guard: leaseGuardOf(ctx.principal) });
  }

  @Mutation(() => TaskType)
  completeTask(
    @Arg('id', () => ID) id: string,
    @Ctx() ctx: GqlContext,
    @Info() info: GraphQLResolveInfo,
    @Arg('workerId', () => String, { nullable: true }) workerId?: string,
    @Arg('result', () => JSONResolver, { nullable: true }) result?: unknown,
  ) {
    return ctx.scheduler.completeTask(ctx.statementEm, { id, workerId, result, fields: selectedFields(info), guard: leaseGuardOf(ctx.principal) });
  }

  @Mutation(() => [TaskType], { description: 'Many completions in one transaction (all or nothing)' })
  completeTasks(@Arg('inputs', () => [CompleteTaskInput]) inputs: CompleteTaskInput[], @Ctx() ctx: GqlContext, @Info() info: GraphQLResolveInfo) {
    return ctx.scheduler.completeTasks(ctx.em, inputs, { fields: selectedFields(info) }, leaseGuardOf(ctx.principal));
  }

  @Mutation(() => TaskType)
  failTask(
    @Arg('id', () => ID) id: string,
    @Arg('error') error: string,
    @Ctx() ctx: GqlContext,
    @Arg('workerId', () => String, { nullable: true }) workerId?: string,
    @Arg('retryable', () => Boolean, { nullable: true }) retryable?: boolean,
  ) {
    return ctx.scheduler.failTask(ctx.em, { id, workerId, error, retryable, guard: leaseGuardOf(ctx.principal) });
  }

  @Mutation(() => TaskType)
  retryTask(@Arg('id', () => ID) id: string, @Ctx() ctx: GqlContext) {
    return ctx.scheduler.retryTask(ctx.em, id);
  }

  @Mutation(() => TaskType)
  cancelTask(
    @Arg('id', () => ID) id: string,
    @Arg('reason') reason: string,
    @Ctx() ctx: GqlContext,
    @Arg('cascade', () => Boolean, { nullable: true }) cascade?: boolean,
  ) {
    return ctx.scheduler.cancelTask(ctx.em, { id, reason, cascade });
  }

  @Mutation(() => TaskType)
  updateTaskPriority(@Arg('id', () => ID) id: string, @Arg('priority', () => Int) priority: number, @Ctx() ctx: GqlContext) {
    return ctx.scheduler.updateTaskPriority(ctx.em, { id, priority });
  }

  @Mutation(() => TaskType)
  addDependency(@Arg('taskId', () => ID) taskId: string, @Arg('dependsOn', () => ID) dependsOn: string, @Ctx() ctx: GqlContext) {
    return ctx.scheduler.addDependency(ctx.em, { taskId, dependsOn });
  }

  @Mutation(() => TaskType)
  removeDependency(@Arg('taskId', () => ID) taskId: string, @Arg('dependsOn', () => ID) dependsOn: string, @Ctx() ctx: GqlContext) {
    return ctx.scheduler.removeDependency(ctx.em, { taskId, dependsOn });
  }
}
