import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MikroORM } from '@mikro-orm/postgresql';
import { createTestDatabase, createTestOrm, TestDatabase } from '../helpers/database';
import { Project } from '../../src/persistence/entities/project.entity';
import { Task } from '../../src/persistence/entities/task.entity';

let db: TestDatabase;
let orm: MikroORM;
beforeAll(async () => {
  db = await createTestDatabase();
  orm = await createTestOrm(db, 2);
});
afterAll(async () => {
  await orm?.close();
  await db?.drop();
});

describe('JSON columns', () => {
  it('an in-place change to metadata is persisted on flush, with no reassignment or dirty marking', async () => {
    const em = orm.em.fork();
    const project = em.create(Project, { name: 'json' });
    await em.flush();
    const task = em.create(Task, { projectId: project.id, title: 't', metadata: { nested: { n: 1 } } });
    await em.flush();

    task.metadata.reason = 'changed in place';
    (task.metadata.nested as { n: number }).n = 2;
    await em.flush();

    const fresh = await orm.em.fork().findOneOrFail(Task, task.id);
    expect(fresh.metadata).toEqual({ nested: { n: 2 }, reason: 'changed in place' });
  });

  it('the database refuses a priority outside 1..10 even when the code does not check', async () => {
    const em = orm.em.fork();
    const project = em.create(Project, { name: 'check' });
    await em.flush();
    em.create(Task, { projectId: project.id, title: 't', priority: 11 });
    await expect(em.flush()).rejects.toThrow(/task_priority_range/);
  });
});
