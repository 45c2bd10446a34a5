/**
 * Keeps `effective_priority` (the claim's sort key) in step with src/domain/effective-priority.ts:
 * priority, +2 when metadata.deadline (`deadline_at`) is within an hour, +1 when another task
 * depends on this one. Run for the tasks a change touches, and by the sweeper for deadlines that
 * have entered the one-hour window since.
 */
const EXPRESSION = `t.priority
  + case when t.deadline_at is not null and t.deadline_at <= now() + interval '1 hour' then 2 else 0 end
  + case when exists (select 1 from task_dependency d where d.depends_on_id = t.id) then 1 else 0 end`;

export const REFRESH_EFFECTIVE_PRIORITY_SQL = `
  update task t set effective_priority = ${EXPRESSION}
   where t.id = any(?::uuid[]) and t.effective_priority is distinct from (${EXPRESSION})`;

export const REFRESH_DEADLINE_BOOSTS_SQL = `
  update task t set effective_priority = ${EXPRESSION}
   where t.deadline_at is not null and t.deadline_at <= now() + interval '1 hour'
     and t.status in ('PENDING', 'READY', 'RETRYING', 'BLOCKED')
     and t.effective_priority < t.priority + 2`;
