import { Arg, ID, Resolver, Root, Subscription } from 'type-graphql';
import { ProgressEventType } from '../types/progress-event.type';
import { assertId } from '../../domain/task-input';
import { BadInputError } from '../../domain/errors';
import type { ProgressEventPayload } from '../../events/progress-channel';
import type { GqlContext } from '../context';

@Resolver()
export class ProgressResolver {
  @Subscription(() => ProgressEventType, {
    description: 'Progress reports of running tasks in a project (optionally only some tasks), at most a few per second per task. Lossy by design: Task.progress holds the latest.',
    subscribe: ({ args, context }) => {
      const projectId = assertId(args.projectId as string, 'projectId');
      const ids = args.taskIds as string[] | null | undefined;
      if (ids && ids.length > 10_000) throw new BadInputError('taskIds may name at most 10000 tasks');
      const taskIds = ids?.length ? new Set(ids.map((id) => assertId(id, 'taskIds'))) : null;
      const channel = (context as GqlContext).progress;
      if (!channel) throw new Error('progress channel not wired');
      return channel.subscribe((e) => e.projectId === projectId && (taskIds === null || taskIds.has(e.taskId)));
    },
  })
  taskProgress(
    @Root() event: ProgressEventPayload,
    @Arg('projectId', () => ID) _projectId: string,
    @Arg('taskIds', () => [ID], { nullable: true }) _taskIds?: string[],
  ): ProgressEventPayload {
    return event;
  }
}
