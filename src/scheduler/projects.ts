import type { EntityManager } from '@mikro-orm/postgresql';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { BadInputError, ProjectNotFoundError } from '../domain/errors';
import { assertId, assertText } from '../domain/task-input';
import { Project } from '../persistence/entities/project.entity';
import { preparedSql } from '../persistence/sql/run';

export async function createProject(em: EntityManager, input: { name: string }): Promise<Project> {
  const name = assertText(input.name, 'name', 200).trim();
  const project = em.create(Project, { name });
  try {
    await em.flush();
  } catch (e) {
    if (e instanceof UniqueConstraintViolationException) {
      em.clear();
      throw new BadInputError(`A project named "${name}" already exists; choose another name or use the existing project`, { field: 'name' });
    }
    throw e;
  }
  return project;
}

/** Every project, or only `scope` for a caller bound to one project (src/auth). */
export async function listProjects(em: EntityManager, scope: string | null = null): Promise<Project[]> {
  return em.find(Project, scope === null ? {} : { id: scope }, { orderBy: { createdAt: 'asc', id: 'asc' } });
}

export async function findProject(em: EntityManager, id: string): Promise<Project | null> {
  return em.findOne(Project, { id: assertId(id, 'id') });
}

export async function requireProject(em: EntityManager, id: string): Promise<Project> {
  const project = await findProject(em, id);
  if (!project) throw new ProjectNotFoundError(id);
  return project;
}

/**
 * THE project lookup of task creation: every project a createTask(s) call names must exist (and,
 * once access control lands, be in the caller's scope: check it here). One indexed statement,
 * prepared, for any number of projects; throws for the first one missing.
 */
export async function requireProjectIds(em: EntityManager, ids: readonly string[]): Promise<void> {
  const found = await preparedSql<{ id: string }>(em, 'create_projects', 'select id::text from project where id = any(?::uuid[])', [ids]);
  if (found.length === ids.length) return;
  const missing = ids.find((id) => !found.some((r) => r.id === id));
  if (missing) throw new ProjectNotFoundError(missing);
}
