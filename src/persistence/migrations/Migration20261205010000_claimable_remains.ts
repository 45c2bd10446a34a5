import { Migration } from '@mikro-orm/migrations';

/**
 * `taskq_claimable_remains(project, assigned_to, except)`: the claim's "try again" probe
 * (claim.sql.ts) as a function. Are there claimable rows (locked or not) in the queue besides
 * `except` (what the claim just took)? A paused project, and tasks whose concurrency key has no
 * free place (counted without locks: a hint, the claim decides), count as none, so a claimer
 * facing only those does not retry in a loop. `assigned_to` null: any task of the project.
 *
 * A function rather than a subquery of the claim statement: PostgreSQL plans every subquery of a
 * statement whether it runs or not, and where the claim is planned per call (behind a transaction
 * pooler, or a client on plan_cache_mode auto) the inline probe made planning each claim dearer
 * (bench Flow, raw SQL per task: 0.57-0.62x of the claim before flow control; 0.74-0.77x with the
 * function). PL/pgSQL plans the body once per connection, and runs it only when a claim left
 * slots unfilled.
 */
export class Migration20261205010000_claimable_remains extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create function taskq_claimable_remains(p_project uuid, p_assigned text, p_except uuid[]) returns boolean
      language plpgsql stable as $$
      begin
        return not coalesce((select paused from project where id = p_project), false)
          and exists (
            select 1 from task t
             where t.project_id = p_project
               and t.status in ('READY', 'RETRYING')
               and (t.status = 'READY' or t.available_at <= now())
               and (p_assigned is null or t.assigned_to = p_assigned)
               and not (t.id = any(p_except))
               and (t.concurrency_key is null or not exists (
                     select 1 from concurrency_limit l
                      where l.project_id = t.project_id and l.key = t.concurrency_key
                        and l."limit" <= (select count(*) from task r
                                           where r.project_id = l.project_id and r.concurrency_key = l.key and r.status = 'RUNNING'))));
      end $$;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop function taskq_claimable_remains(uuid, text, uuid[]);`);
  }
}
