import type { EntityManager } from '@mikro-orm/postgresql';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { BadInputError, ProjectNotFoundError } from '../domain/errors';
import { assertId, assertText } from '../domain/task-input';
import { Project } from '../persistence/entities/project.entity';

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
