/**
 * Reading the event log without gaps.
 *
 * Identity values are handed out when a row is inserted, not when its transaction commits, so
 * "id > cursor" alone can skip an event whose transaction commits late. Each row therefore
 * carries its transaction's xid8, and readers only read rows of transactions older than the
 * safe point: the oldest transaction still running in THIS database (or, with none, the next xid
 * to be handed out). Every transaction below it has finished, so no row can ever appear behind
 * the cursor. Order and cursor are (txid, id), served by `task_event_order_idx`. A long-running
 * transaction in this database delays delivery; it never loses events.
 *
 * Why not simply `pg_snapshot_xmin(pg_current_snapshot())`: that is the oldest running
 * transaction of the whole cluster, so a transaction left open in ANY other database on the
 * server (a migration, a report, another application's idle-in-transaction session) held every
 * event back until it ended (measured: a 1.5 s open transaction in database `postgres` held
 * delivery for 1.5 s). A transaction of another database cannot write our rows, so the running
 * xids that pg_stat_activity places in another database are left out. An xid we cannot place
 * (it just ended, or a prepared transaction) counts as ours: that only delays, never skips.
 * pg_current_snapshot() is the statement's snapshot, the same one the rows are read with.
 * pg_stat_get_activity(null) is what the view pg_stat_activity reads, without the view's joins to
 * pg_database and pg_authid (which only add names): half the cost of the safe point (0.17 against
 * 0.34 ms with five transactions open), and the pump computes it on every read.
 *
 * Every ORDER BY below names the table's columns (e.txid, e.id), never the output columns: the
 * selected `txid::text` and `id::text` share those names, and a bare `order by txid, id` would
 * sort by the text (lexically: '10' < '9'), which put events out of order and let a batch
 * limit skip events.
 */
const SAFE_POINT = `coalesce(
    (select min(x) from pg_snapshot_xip(pg_current_snapshot()) x
      where not exists (select 1 from pg_stat_get_activity(null) a
                         where a.backend_xid = x::xid
                           and a.datid <> (select oid from pg_database where datname = current_database()))),
    pg_snapshot_xmax(pg_current_snapshot()))`;

/**
 * The newest safe position: where a reader that wants only new events starts. With an empty
 * (fully pruned) log it is the pruning mark, so a cursor handed out is never "too old".
 */
export const SAFE_HEAD_SQL = `
  select h.txid::text as txid, h.id::text as id from (
    (select e.txid, e.id from task_event e
      where e.txid < ${SAFE_POINT}
      order by e.txid desc, e.id desc
      limit 1)
    union all
    select p.txid, p.id from task_event_pruned p
  ) h
  order by h.txid desc, h.id desc
  limit 1`;

export const NOTIFY_CHANNEL = 'task_events';

/**
 * One round trip for the pump: the next safe events, and whether more rows wait behind the
 * safe point (then the pump looks again shortly instead of waiting for the next wake-up).
 */
export const PUMP_READ_SQL = `
  with safe as materialized (select ${SAFE_POINT} as point)
  select
    (select coalesce(json_agg(b order by b.tx, b.n), '[]'::json) from (
       select e.id::text as id, e.txid::text as txid, e.task_id::text as "taskId", e.project_id::text as "projectId",
              e.previous_status as "previousStatus", e.status, e.at, e.txid as tx, e.id as n
         from task_event e
        where (e.txid, e.id) > (?::text::xid8, ?::bigint)
          and e.txid < (select point from safe)
        order by e.txid, e.id
        limit ?) b) as events,
    -- max() walks task_event_order_idx from its end (one row); an "exists (... where txid >= point)"
    -- was planned as a sequential scan of the whole log, which with nothing pending read every row.
    coalesce((select max(e.txid) from task_event e) >= (select point from safe), false) as pending`;

/** Replay for a subscriber that passed afterCursor: events in (after, upTo], all already safe. */
export const REPLAY_SQL = `
  select e.id::text as id, e.txid::text as txid, e.task_id::text as "taskId", e.project_id::text as "projectId",
         e.previous_status as "previousStatus", e.status, e.at
    from task_event e
   where (e.txid, e.id) > (?::text::xid8, ?::bigint)
     and (e.txid, e.id) <= (?::text::xid8, ?::bigint)
   order by e.txid, e.id
   limit ?`;

/**
 * Pruning by position, not only by age: everything up to the newest safe event older than the
 * retention goes, and that position is remembered (task_event_pruned) so a resume from before it
 * is refused rather than silently incomplete.
 */
export const PRUNE_EVENTS_SQL = `
  with mark as (
    select e.txid, e.id from task_event e
     where e.at < now() - make_interval(hours => ?) and e.txid < ${SAFE_POINT}
     order by e.txid desc, e.id desc
     limit 1
  ), deleted as (
    delete from task_event e using mark where (e.txid, e.id) <= (mark.txid, mark.id)
  )
  insert into task_event_pruned (singleton, txid, id)
  select true, txid, id from mark
  on conflict (singleton) do update set txid = excluded.txid, id = excluded.id, pruned_at = now()`;

export const PRUNED_UP_TO_SQL = `select txid::text as txid, id::text as id from task_event_pruned`;
