/**
 * Keeps `effective_priority` (the claim's sort key) in step with src/domain/effective-priority.ts:
 * priority, +2 when metadata.deadline (`deadline_at`) is within an hour, +1 when another task
 * depends on this one. Run for the tasks a change touches, and by the sweeper for deadlines that
 * have entered the one-hour window since.
 */
const DEADLINE_BOOST = (t: string) => `case when ${t}.deadline_at is not null and ${t}.deadline_at <= now() + interval '1 hour' then 2 else 0 end`;
const EXPRESSION = `t.priority
  + ${DEADLINE_BOOST('t')}
  + case when exists (select 1 from task_dependency d where d.depends_on_id = t.id) then 1 else 0 end`;

export const REFRESH_EFFECTIVE_PRIORITY_SQL = `
  update task t set effective_priority = ${EXPRESSION}
   where t.id = any(?::uuid[]) and t.effective_priority is distinct from (${EXPRESSION})`;

export const REFRESH_DEADLINE_BOOSTS_SQL = `
  update task t set effective_priority = ${EXPRESSION}
   where t.deadline_at is not null and t.deadline_at <= now() + interval '1 hour'
     and t.status in ('PENDING', 'READY', 'RETRYING', 'BLOCKED')
     and t.effective_priority < t.priority + 2`;

/**
 * createTasks: existing tasks about to gain a dependent (edges inserted later in the same
 * transaction) take their +1 now, before the edges exist, so the value is known without looking
 * for dependents ("+ 1" where the refresh has its `exists`).
 *
 * Only rows whose value changes are locked, and they are locked in id order by the inner select,
 * before the caller share-locks the referenced tasks (LOCK_REFERENCED_TASKS_SQL). Two parallel
 * creates naming the same dependencies therefore queue on the first row both must change and
 * never deadlock; refreshing after the insert, as before, upgraded a share lock held by both to
 * an exclusive one (a certain deadlock between two such creates). A row that waited is checked
 * again on its new version: a dependency that another create has just boosted is left alone, and
 * creates that find their dependencies already boosted lock them for share only, in parallel.
 */
const WITH_DEPENDENTS = (t: string) => `${t}.priority + ${DEADLINE_BOOST(t)} + 1`;

export const GAIN_DEPENDENTS_SQL = `
  update task t set effective_priority = ${WITH_DEPENDENTS('t')}
    from (select x.id from task x
           where x.id = any(?::uuid[]) and x.effective_priority is distinct from (${WITH_DEPENDENTS('x')})
           order by x.id
             for no key update) locked
   where t.id = locked.id`;
