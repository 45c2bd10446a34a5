import { Ctx, Query, Resolver } from 'type-graphql';
import type { EntityManager } from '@mikro-orm/postgresql';
import { SAFE_HEAD_SQL } from '../../persistence/sql/events.sql';
import { sql } from '../../persistence/sql/run';
import { encodeCursor, ORIGIN, type EventPosition } from '../../events/cursor';
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
    description:
      'The newest event cursor safe to resume from (pass it as taskStatusChanged afterCursor after loading a snapshot).',
  })
  async latestEventCursor(@Ctx() ctx: GqlContext): Promise<string | null> {
    const [head] = await sql<EventPosition>(ctx.em as EntityManager, SAFE_HEAD_SQL);
    // An empty log still has a position: its origin, so "read, load, subscribe" has no gap there either.
    return encodeCursor(head ?? ORIGIN);
  }
}
