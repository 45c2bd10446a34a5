import type { EventStream, TaskEventPayload } from './event-stream';
import type { SlowSubscriberError, Subscriber } from './subscriber';

/** What a subscription field asks of the event stream (built by its resolver, after its checks). */
export interface LiveSpec {
  /** Server-side filter; depends only on the field's arguments and the subscriber's visibility. */
  matches: (e: TaskEventPayload) => boolean;
  afterCursor: string | null;
  /** 'all': every subscriber gets every event; 'one': each event goes to one subscriber of the group (workers). */
  delivery: 'all' | 'one';
  /** The filter reads `event.task` (so the pump must load it whatever the selection). */
  filterReadsTask: boolean;
  /**
   * The part of the filter that reads only the event's own fields, for a filter that reads the
   * task: events it refuses need no task loaded. Without it such a filter loads every event's task.
   */
  mayMatch?: (e: TaskEventPayload) => boolean;
  /** Where the task appears in the result: the `task` field of the event, or the root field itself. */
  taskAt: 'taskField' | 'root';
}

/**
 * What the subscription resolvers return: a description of the source, not yet registered. The
 * multiplexer (src/events/multiplexer.ts) turns it into a member of a shared group; anything
 * else that iterates it (graphql's own `subscribe`) gets a queue of its own, as before.
 */
export class LiveSource implements AsyncIterable<TaskEventPayload> {
  constructor(
    readonly stream: EventStream,
    readonly spec: LiveSpec,
    readonly onOverflow?: (e: SlowSubscriberError) => void,
  ) {}

  [Symbol.asyncIterator](): AsyncIterableIterator<TaskEventPayload> {
    let sub: Promise<Subscriber> | null = null;
    const open = () => (sub ??= this.stream.subscribe(this.spec.matches, this.spec.afterCursor, this.onOverflow));
    const it: AsyncIterableIterator<TaskEventPayload> = {
      next: async () => (await open()).next(),
      return: async () => (await open()).return(),
      throw: async (e: unknown) => (await open()).throw(e),
      [Symbol.asyncIterator]: () => it,
    };
    return it;
  }
}
