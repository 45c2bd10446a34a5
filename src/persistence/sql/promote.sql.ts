/**
 * Promotion of locked PENDING tasks whose dependencies are now all COMPLETED (run as its own
 * statement after the locks were taken: see complete.sql.ts for why). Uses the primary key of
 * task_dependency (task_id, …) to read each candidate's dependencies.
 */
export const PROMOTE_SQL = `
  with candidates as (
    select c.id from unnest(?::uuid[]) as c(id)
     where not exists (
       select 1 from task_dependency d join task dep on dep.id = d.depends_on_id
        where d.task_id = c.id and dep.status <> 'COMPLETED')
  ), promoted as (
    update task t set status = 'READY', updated_at = now()
      from candidates where t.id = candidates.id and t.status = 'PENDING'
    returning t.id, t.project_id, t.assigned_to
  ), logged as (
    insert into task_event (task_id, project_id, previous_status, status)
    select id, project_id, 'PENDING', 'READY' from promoted
  )
  select id, project_id, assigned_to from promoted`;
