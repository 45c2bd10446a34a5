import type { EntityManager } from '@mikro-orm/postgresql';
import { PROJECT_CHANGED_CHANNEL } from '../events/project-changes';
import { Project } from '../persistence/entities/project.entity';
import { sql } from '../persistence/sql/run';
import { requireProject } from './projects';

/**
 * pauseProject / resumeProject: while paused, claims on the project return nothing (the claim
 * reads the flag: claim.sql.ts); everything else works. The NOTIFY is sent inside the
 * transaction on purpose: PostgreSQL delivers it only if the change commits, to every instance
 * (projectChanged subscribers). Its commit-time lock is no cost for an operator's rare click.
 */
export async function setProjectPaused(em: EntityManager, id: string, paused: boolean): Promise<Project> {
  return em.transactional(async (tem) => {
    const project = await requireProject(tem as EntityManager, id);
    project.paused = paused;
    await tem.flush();
    await sql(tem as EntityManager, 'select pg_notify(?, ?)', [PROJECT_CHANGED_CHANNEL, project.id]);
    return project;
  });
}
