import { Ctx, Query, Resolver } from 'type-graphql';
import type { EntityManager } from '@mikro-orm/postgresql';
import { SAFE_HEAD_SQL } from '../../persistence/sql/events.sql';
import { sql } from '../../persistence/sql/run';
import { encodeCursor, type EventPosition } from '../../events/cursor';
import type { GqlContext } from '../context';

@Resolver()
export class EventCursorResolver {
  /**
   * Lets a client read a snapshot without missing events: read this cursor FIRST, then load the
   * tasks, then subscribe to `taskStatusChanged(afterCursor: <it>)`. Every event after it is
   * replayed, and everything up to it is already visible to the snapshot (the safe head only
   * covers finished transactions), so nothing falls in between.
   */
  @Query(() => String, {
    nullable: true,
    description:
      'The newest event cursor safe to resume from (pass it as taskStatusChanged afterCursor after loading a snapshot); null while the event log is empty.',
  })
  async latestEventCursor(@Ctx() ctx: GqlContext): Promise<string | null> {
    const [head] = await sql<EventPosition>(ctx.em as EntityManager, SAFE_HEAD_SQL);
    return head ? encodeCursor(head) : null;
  }
}
