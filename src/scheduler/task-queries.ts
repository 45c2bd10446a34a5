import type { EntityManager } from '@mikro-orm/postgresql';
import { detectDeadlocks, DeadlockReport } from '../domain/deadlocks';
import { resolveOrder } from '../domain/dependency-graph';
import { BadInputError } from '../domain/errors';
import { assertId } from '../domain/task-input';
import type { TaskStatus } from '../domain/task-status';
import { Task } from '../persistence/entities/task.entity';
import { PROJECT_EDGES_SQL, PROJECT_TASK_STATES_SQL, TRANSITIVE_DEPENDENCIES_SQL } from '../persistence/sql/graph.sql';
import { sql } from '../persistence/sql/run';
import { toTasks } from '../persistence/sql/task-rows';
import { findTask } from './load-task';
import { taskFilterWhere } from './task-filter';

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

/** Cursor = opaque base64 of the task's creation sequence number: keyset pagination in creation order. */
function encodeTaskCursor(seq: string): string {
  return Buffer.from(`task:${seq}`).toString('base64url');
}

function decodeTaskCursor(cursor: string): string {
  const m = /^task:(\d{1,19})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw new BadInputError(`after: "${cursor.slice(0, 60)}" is not a cursor returned by this API`, { field: 'after' });
  return m[1]!;
}

/** tasks(filter, first, after): one count and one page query, both on (project_id, seq)-style indexes. */
export async function listTasks(em: EntityManager, filter: TaskFilter = {}, first = 50, after?: string | null): Promise<TaskPage> {
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw new BadInputError(`first must be a whole number from 1 to ${MAX_PAGE_SIZE}, got ${first}`, { field: 'first' });
  }
  const { where, bindings } = taskFilterWhere(filter);
  const whereSql = `where ${where}`;
  const [{ count }] = await sql<{ count: number }>(em, `select count(*)::int as count from task ${whereSql}`, bindings);
  const pageWhere = after ? `${where} and seq > ?::bigint` : where;
  const rows = await sql<Record<string, unknown> & { seq: string }>(
    em,
    `select * from task where ${pageWhere} order by seq limit ?`,
    [...bindings, ...(after ? [decodeTaskCursor(after)] : []), first + 1],
  );
  const page = rows.slice(0, first);
  return {
    tasks: toTasks(page),
    cursors: page.map((r) => encodeTaskCursor(String(r.seq))),
    hasNextPage: rows.length > first,
    totalCount: count,
  };
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
    sql<{ id: string; status: TaskStatus }>(em, PROJECT_TASK_STATES_SQL, [projectId]),
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
