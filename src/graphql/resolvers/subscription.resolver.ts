import { Arg, Ctx, ID, registerEnumType, Resolver, Root, Subscription } from 'type-graphql';
import { TaskStatusEventType } from '../types/task-event.type';
import { TaskType } from '../types/task.type';
import { TaskStatusEnum } from '../types/task-status.enum';
import { assertId, assertText } from '../../domain/task-input';
import { BadInputError } from '../../domain/errors';
import type { TaskStatus } from '../../domain/task-status';
import type { TaskEventPayload } from '../../events/event-stream';
import type { Task } from '../../persistence/entities/task.entity';
import { decodeCursor } from '../../events/cursor';
import { LiveSource } from '../../events/live-source';
import type { GqlContext } from '../context';

export enum TaskReadyDelivery {
  ALL = 'ALL',
  ONE = 'ONE',
}

registerEnumType(TaskReadyDelivery, {
  name: 'TaskReadyDelivery',
  description: 'Who receives a taskReady event among the subscribers with the same document and arguments',
  valuesConfig: {
    ALL: { description: 'Every subscriber, every event (dashboards; the default)' },
    ONE: { description: 'One subscriber per event, in turn (workers: a new task wakes one idle worker, not all of them)' },
  },
});

interface StatusArgs {
  projectId?: string | null;
  taskIds?: string[] | null;
  statuses?: TaskStatus[] | null;
  afterCursor?: string | null;
}

/** Filters run on the server, inside the event stream, before anything is queued. */
function statusFilter(args: StatusArgs): (e: TaskEventPayload) => boolean {
  const projectId = args.projectId ? assertId(args.projectId, 'projectId') : null;
  if (args.taskIds && args.taskIds.length > 10_000) throw new BadInputError('taskIds may name at most 10000 tasks');
  const taskIds = args.taskIds?.length ? new Set(args.taskIds.map((id) => assertId(id, 'taskIds'))) : null;
  const statuses = args.statuses?.length ? new Set(args.statuses) : null;
  return (e) => (projectId === null || e.projectId === projectId) && (taskIds === null || taskIds.has(e.taskId)) && (statuses === null || statuses.has(e.status));
}

/** WebSocket close code for a subscriber dropped for falling too far behind (4000-4999: application codes). */
export const SLOW_SUBSCRIBER_CLOSE_CODE = 4008;

function dropSlowClient(context: unknown) {
  const close = (context as { closeConnection?: (code: number, reason: string) => void }).closeConnection;
  return (e: Error) => close?.(SLOW_SUBSCRIBER_CLOSE_CODE, e.message.slice(0, 120));
}

/**
 * A subscription keeps its EntityManager fork for as long as it runs, and field resolvers load
 * tasks into it for every event: emptied before each event, its identity map does not grow for
 * days. (Events are resolved one at a time per subscription.)
 */
function forgetPreviousEvent(ctx: GqlContext): void {
  ctx.em.clear();
}

@Resolver()
export class SubscriptionResolver {
  @Subscription(() => TaskStatusEventType, {
    description: 'One event per committed status change (creation included). afterCursor replays what was missed first.',
    subscribe: async ({ args, context }) => {
      const a = args as StatusArgs;
      const ctx = context as GqlContext;
      const matches = statusFilter(a);
      const afterCursor = a.afterCursor ?? null;
      // Refused here (BAD_USER_INPUT) rather than after the subscription started.
      if (afterCursor) await ctx.stream.refuseIfPruned(decodeCursor(afterCursor));
      return new LiveSource(ctx.stream, { matches, afterCursor, delivery: 'all', filterReadsTask: false, taskAt: 'taskField' }, dropSlowClient(context));
    },
  })
  taskStatusChanged(
    @Root() event: TaskEventPayload,
    @Ctx() ctx: GqlContext,
    @Arg('projectId', () => ID, { nullable: true }) _projectId?: string,
    @Arg('taskIds', () => [ID], { nullable: true }) _taskIds?: string[],
    @Arg('statuses', () => [TaskStatusEnum], { nullable: true }) _statuses?: TaskStatus[],
    @Arg('afterCursor', () => String, { nullable: true }) _afterCursor?: string,
  ): TaskEventPayload {
    forgetPreviousEvent(ctx);
    return event;
  }

  @Subscription(() => TaskType, {
    description:
      'Fires when a task becomes claimable (created READY, promoted, retry due, lease expired): wake up and claim. delivery: ONE hands each event to one subscriber of the same document and arguments, in turn (workers; see the README), ALL (default) to every one.',
    subscribe: ({ args, context }) => {
      const projectId = assertId(args.projectId as string, 'projectId');
      const assignedTo = args.assignedTo == null ? null : assertText(args.assignedTo as string, 'assignedTo', 100);
      const delivery = args.delivery === TaskReadyDelivery.ONE ? 'one' : 'all';
      return new LiveSource(
        (context as GqlContext).stream,
        {
          matches: (e) => e.status === 'READY' && e.projectId === projectId && (assignedTo === null || e.task?.assignedTo === assignedTo),
          afterCursor: null,
          delivery,
          filterReadsTask: assignedTo !== null,
          mayMatch: (e) => e.status === 'READY' && e.projectId === projectId,
          taskAt: 'root',
        },
        dropSlowClient(context),
      );
    },
  })
  taskReady(
    @Root() event: TaskEventPayload,
    @Ctx() ctx: GqlContext,
    @Arg('projectId', () => ID) _projectId: string,
    @Arg('assignedTo', () => String, { nullable: true }) _assignedTo?: string,
    @Arg('delivery', () => TaskReadyDelivery, { nullable: true, defaultValue: TaskReadyDelivery.ALL }) _delivery?: TaskReadyDelivery,
  ): Task {
    forgetPreviousEvent(ctx);
    // Not loaded when the selection needs only what the event carries (ids, status).
    return event.task ?? ({ id: event.taskId, projectId: event.projectId, status: 'READY' } as Task);
  }
}
