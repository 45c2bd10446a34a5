import type { EntityManager } from '@mikro-orm/postgresql';
import { detectDeadlocks, DeadlockReport } from '../domain/deadlocks';
import { resolveOrder } from '../domain/dependency-graph';
import { BadInputError } from '../domain/errors';
import { assertId, assertText } from '../domain/task-input';
import { isTaskStatus, TaskStatus } from '../domain/task-status';
import { Task } from '../persistence/entities/task.entity';
import { PROJECT_EDGES_SQL, PROJECT_TASK_STATES_SQL, TRANSITIVE_DEPENDENCIES_SQL } from '../persistence/sql/graph.sql';
import { sql } from '../persistence/sql/run';
import { findTask } from './load-task';

export interface TaskFilter {
  projectId?: string | null;
  statuses?: string[] | null;
  assignedTo?: string | null;
  parentTaskId?: string | null;
}

export interface TaskPage {
  tasks: Task[];
  cursors: string[];
  hasNextPage: boolean;
  totalCount: number;
}

export const MAX_PAGE_SIZE = 500;

/** Cursor = opaque base64 of (createdAt, id): keyset pagination in creation order. */
export function encodeTaskCursor(task: Pick<Task, 'createdAt' | 'id'>): string {
  return Buffer.from(`${task.createdAt.toISOString()}|${task.id}`).toString('base64url');
}

function decodeTaskCursor(cursor: string): { createdAt: Date; id: string } {
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(at ?? '');
  if (!id || Number.isNaN(createdAt.getTime())) throw new BadInputError(`after: "${cursor.slice(0, 60)}" is not a cursor returned by this API`, { field: 'after' });
  return { createdAt, id: assertId(id, 'after') };
}

export async function listTasks(em: EntityManager, filter: TaskFilter = {}, first = 50, after?: string | null): Promise<TaskPage> {
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw new BadInputError(`first must be a whole number from 1 to ${MAX_PAGE_SIZE}, got ${first}`, { field: 'first' });
  }
  const where: Record<string, unknown> = {};
  if (filter.projectId) where.projectId = assertId(filter.projectId, 'filter.projectId');
  if (filter.parentTaskId) where.parentTaskId = assertId(filter.parentTaskId, 'filter.parentTaskId');
  if (filter.assignedTo) where.assignedTo = assertText(filter.assignedTo, 'filter.assignedTo', 100);
  if (filter.statuses && filter.statuses.length > 0) {
    const bad = filter.statuses.find((s) => !isTaskStatus(s));
    if (bad) throw new BadInputError(`unknown status ${bad}`, { field: 'filter.statuses' });
    where.status = { $in: filter.statuses as TaskStatus[] };
  }
  const totalCount = await em.count(Task, where);
  const pageWhere = { ...where };
  if (after) {
    const c = decodeTaskCursor(after);
    Object.assign(pageWhere, { $or: [{ createdAt: { $gt: c.createdAt } }, { createdAt: c.createdAt, id: { $gt: c.id } }] });
  }
  const rows = await em.find(Task, pageWhere, { orderBy: { createdAt: 'asc', id: 'asc' }, limit: first + 1 });
  const tasks = rows.slice(0, first);
  return { tasks, cursors: tasks.map(encodeTaskCursor), hasNextPage: rows.length > first, totalCount };
}

/** Every transitive dependency of a task in an order they can run (dependencies first). */
export async function resolveDependencies(em: EntityManager, id: string): Promise<Task[]> {
  const task = await findTask(em, id);
  const edges = await sql<{ task_id: string; depends_on_id: string }>(em, TRANSITIVE_DEPENDENCIES_SQL, [task.id]);
  const deps = new Map<string, string[]>([[task.id, []]]);
  for (const e of edges) {
    deps.set(e.task_id, [...(deps.get(e.task_id) ?? []), e.depends_on_id]);
    if (!deps.has(e.depends_on_id)) deps.set(e.depends_on_id, []);
  }
  const order = resolveOrder(task.id, deps).filter((t) => t !== task.id);
  const loaded = await em.find(Task, { id: { $in: order } });
  const byId = new Map(loaded.map((t) => [t.id, t]));
  return order.map((t) => byId.get(t)!).filter(Boolean);
}

export async function loadProjectGraph(em: EntityManager, projectId: string) {
  const [tasks, edges] = await Promise.all([
    sql<{ id: string; status: TaskStatus; title: string }>(em, PROJECT_TASK_STATES_SQL, [projectId]),
    sql<{ task_id: string; depends_on_id: string }>(em, PROJECT_EDGES_SQL, [projectId]),
  ]);
  const deps = new Map<string, string[]>();
  for (const t of tasks) deps.set(t.id, []);
  for (const e of edges) deps.get(e.task_id)?.push(e.depends_on_id);
  return { tasks, edges, deps };
}

export async function findDeadlocks(em: EntityManager, projectId: string): Promise<DeadlockReport> {
  const id = assertId(projectId, 'projectId');
  const { tasks, deps } = await loadProjectGraph(em, id);
  return detectDeadlocks(new Map(tasks.map((t) => [t.id, t.status])), deps);
}
