/**
 * Reading the event log without gaps.
 *
 * Identity values are handed out when a row is inserted, not when its transaction commits, so
 * "id > cursor" alone can skip an event whose transaction commits late. Each row therefore
 * carries its transaction's xid8, and readers only read rows of transactions older than the
 * oldest one still running (`pg_snapshot_xmin(pg_current_snapshot())`): those are all finished,
 * so no row can ever appear behind the cursor. Order and cursor are (txid, id), served by
 * `task_event_order_idx`. A long-running transaction delays delivery; it never loses events.
 */
export const READ_EVENTS_SQL = `
  select id::text, txid::text, task_id::text, project_id::text, previous_status, status, at
    from task_event
   where (txid, id) > (?::text::xid8, ?::bigint)
     and txid < pg_snapshot_xmin(pg_current_snapshot())
   order by txid, id
   limit ?`;

/** True when committed-or-running rows exist beyond the safe point: look again soon. */
export const EVENTS_BEHIND_SAFE_POINT_SQL = `
  select exists (select 1 from task_event where txid >= pg_snapshot_xmin(pg_current_snapshot())) as pending`;

/** The newest safe position: where a reader that wants only new events starts. */
export const SAFE_HEAD_SQL = `
  select txid::text, id::text from task_event
   where txid < pg_snapshot_xmin(pg_current_snapshot())
   order by txid desc, id desc
   limit 1`;

export const NOTIFY_CHANNEL = 'task_events';

/**
 * One round trip for the pump: the next safe events, and whether more rows wait behind the
 * safe point (then the pump looks again shortly instead of waiting for the next wake-up).
 */
export const PUMP_READ_SQL = `
  select
    (select coalesce(json_agg(e order by e.txid, e.id), '[]'::json) from (
       select id::text, txid::text, task_id::text as "taskId", project_id::text as "projectId",
              previous_status as "previousStatus", status, at, txid as tx, id as n
         from task_event
        where (txid, id) > (?::text::xid8, ?::bigint)
          and txid < pg_snapshot_xmin(pg_current_snapshot())
        order by txid, id
        limit ?) e) as events,
    exists (select 1 from task_event where txid >= pg_snapshot_xmin(pg_current_snapshot())) as pending`;

/** Replay for a subscriber that passed afterCursor: events in (after, upTo], all already safe. */
export const REPLAY_SQL = `
  select id::text, txid::text, task_id::text as "taskId", project_id::text as "projectId",
         previous_status as "previousStatus", status, at
    from task_event
   where (txid, id) > (?::text::xid8, ?::bigint)
     and (txid, id) <= (?::text::xid8, ?::bigint)
   order by txid, id
   limit ?`;
