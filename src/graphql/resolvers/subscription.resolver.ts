import { Arg, Ctx, ID, Resolver, Root, Subscription } from 'type-graphql';
import { TaskStatusEventType } from '../types/task-event.type';
import { TaskType } from '../types/task.type';
import { TaskStatusEnum } from '../types/task-status.enum';
import { assertId, assertText } from '../../domain/task-input';
import { BadInputError } from '../../domain/errors';
import type { TaskStatus } from '../../domain/task-status';
import type { TaskEventPayload } from '../../events/event-stream';
import type { GqlContext } from '../context';

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
    subscribe: ({ args, context }) =>
      (context as GqlContext).stream.subscribe(statusFilter(args as StatusArgs), (args as StatusArgs).afterCursor, dropSlowClient(context)),
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
    description: 'Fires when a task becomes claimable (created READY, promoted, retry due, lease expired): wake up and claim.',
    subscribe: ({ args, context }) => {
      const projectId = assertId(args.projectId as string, 'projectId');
      const assignedTo = args.assignedTo == null ? null : assertText(args.assignedTo as string, 'assignedTo', 100);
      return (context as GqlContext).stream.subscribe(
        (e) => e.status === 'READY' && e.projectId === projectId && (assignedTo === null || e.task?.assignedTo === assignedTo),
        null,
        dropSlowClient(context),
      );
    },
  })
  taskReady(
    @Root() event: TaskEventPayload,
    @Ctx() ctx: GqlContext,
    @Arg('projectId', () => ID) _projectId: string,
    @Arg('assignedTo', () => String, { nullable: true }) _assignedTo?: string,
  ) {
    forgetPreviousEvent(ctx);
    return event.task;
  }
}
