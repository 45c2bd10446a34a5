import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { ScheduleType, UpsertScheduleInput } from '../types/schedule.type';
import { TaskType } from '../types/task.type';
import type { GqlContext } from '../context';

/** Thin: cron schedules (src/scheduler/*-schedule*.ts). */
@Resolver(() => ScheduleType)
export class ScheduleResolver {
  @Query(() => [ScheduleType], { description: "A project's cron schedules, by name" })
  schedules(@Arg('projectId', () => ID) projectId: string, @Ctx() ctx: GqlContext) {
    return ctx.scheduler.listSchedules(ctx.em, projectId);
  }

  @Mutation(() => ScheduleType, { description: 'Creates the schedule named input.name in the project, or replaces its settings' })
  upsertSchedule(@Arg('input', () => UpsertScheduleInput) input: UpsertScheduleInput, @Ctx() ctx: GqlContext) {
    return ctx.scheduler.upsertSchedule(ctx.em, input);
  }

  @Mutation(() => ScheduleType, { description: 'Removes the schedule; tasks it created stay' })
  deleteSchedule(@Arg('id', () => ID) id: string, @Ctx() ctx: GqlContext) {
    return ctx.scheduler.deleteSchedule(ctx.em, id);
  }

  @Mutation(() => TaskType, { description: 'Creates one run now, whatever the cron, overlap policy or pause say' })
  triggerSchedule(@Arg('id', () => ID) id: string, @Ctx() ctx: GqlContext) {
    return ctx.scheduler.triggerSchedule(ctx.em, id);
  }
}
