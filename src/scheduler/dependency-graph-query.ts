import type { EntityManager } from '@mikro-orm/postgresql';
import { connectedTo, criticalPath, DependencyMap, findCycles, topologicalLevels } from '../domain/dependency-graph';
import { TaskNotFoundError } from '../domain/errors';
import { assertId } from '../domain/task-input';
import type { TaskStatus } from '../domain/task-status';
import { Task } from '../persistence/entities/task.entity';
import { PROJECT_EDGES_SQL } from '../persistence/sql/graph.sql';
import { PROJECT_GRAPH_NODES_SQL } from '../persistence/sql/graph-nodes.sql';
import { sql } from '../persistence/sql/run';
import { ALL_TASK_COLUMNS, columnsForTaskFields, taskColumns, toTasks } from '../persistence/sql/task-rows';
import type { ReturnedFields } from './context';
import { requireProject } from './projects';

/** A task without a stored estimate weighs what the estimator never goes below. */
export const DEFAULT_TASK_MINUTES = 15;

export interface GraphNode {
  id: string;
  status: TaskStatus;
  title: string;
  estimatedMinutes: number;
}

export interface DependencyGraphResult {
  projectId: string;
  rootTaskId: string | null;
  /** In creation order. Full Task rows are loaded separately, only when asked for. */
  graphNodes: GraphNode[];
  /** from = the dependency, to = the task waiting on it. */
  edges: { from: string; to: string }[];
  levels: string[][];
  criticalPath: string[];
  criticalPathMinutes: number;
  cycles: string[][];
}

/**
 * dependencyGraph(projectId, rootTaskId?): the project's tasks and edges from two light
 * statements, then the pure algorithms of src/domain/dependency-graph/. With a root, only the
 * root's transitive dependencies and dependents are kept.
 */
export async function loadDependencyGraph(em: EntityManager, projectIdArg: string, rootTaskIdArg?: string | null): Promise<DependencyGraphResult> {
  const projectId = assertId(projectIdArg, 'projectId');
  const rootTaskId = rootTaskIdArg == null ? null : assertId(rootTaskIdArg, 'rootTaskId');
  await requireProject(em, projectId);
  const [rows, edgeRows] = await Promise.all([
    sql<{ id: string; status: TaskStatus; title: string; estimated_minutes: number | null }>(em, PROJECT_GRAPH_NODES_SQL, [projectId]),
    sql<{ task_id: string; depends_on_id: string }>(em, PROJECT_EDGES_SQL, [projectId]),
  ]);
  const position = new Map(rows.map((r, i) => [r.id, i]));
  // A root of another project is not found *here*: the graph is per project.
  if (rootTaskId !== null && !position.has(rootTaskId)) throw new TaskNotFoundError(rootTaskId);

  const projectDeps = new Map<string, string[]>(rows.map((r) => [r.id, []]));
  for (const e of edgeRows) if (position.has(e.depends_on_id)) projectDeps.get(e.task_id)?.push(e.depends_on_id);

  const kept = rootTaskId === null ? rows : keepConnected(rows, rootTaskId, projectDeps);
  const ids = kept.map((r) => r.id);
  const inGraph = rootTaskId === null ? null : new Set(ids);
  const deps = new Map<string, string[]>();
  for (const id of ids) {
    const list = projectDeps.get(id)!.filter((d) => inGraph === null || inGraph.has(d));
    deps.set(id, list.sort((a, b) => position.get(a)! - position.get(b)!)); // deterministic edge order
  }

  const minutes = new Map(kept.map((r) => [r.id, r.estimated_minutes ?? DEFAULT_TASK_MINUTES]));
  const critical = criticalPath(ids, deps, (id) => minutes.get(id)!);
  return {
    projectId,
    rootTaskId,
    graphNodes: kept.map((r) => ({ id: r.id, status: r.status, title: r.title, estimatedMinutes: minutes.get(r.id)! })),
    edges: ids.flatMap((to) => deps.get(to)!.map((from) => ({ from, to }))),
    levels: topologicalLevels(ids, deps).levels,
    criticalPath: critical.path,
    criticalPathMinutes: critical.total,
    cycles: findCycles(deps),
  };
}

function keepConnected<R extends { id: string }>(rows: R[], rootTaskId: string, deps: DependencyMap): R[] {
  const connected = connectedTo(rootTaskId, deps);
  return rows.filter((r) => connected.has(r.id));
}

/**
 * The graph's nodes as Task snapshots, in the graph's order: one statement, by project for a
 * whole-project graph (no 10,000-id list), by id for a rooted one, reading only the columns of
 * `fields` (a graph view that shows id, title and status of 10,000 tasks should not read and
 * parse every column of each; the complexity estimate is never read here, Task.complexity loads
 * it when asked). `whole`: the snapshots have every field. A task created after the graph was
 * read is left out; one deleted since is skipped.
 */
export async function loadGraphTasks(em: EntityManager, graph: DependencyGraphResult, returned: ReturnedFields = {}): Promise<{ tasks: Task[]; whole: boolean }> {
  const columns = columnsForTaskFields(returned.fields);
  const whole = columns === ALL_TASK_COLUMNS;
  if (graph.graphNodes.length === 0) return { tasks: [], whole };
  const select = `select ${taskColumns(undefined, columns)} from task`;
  const rows =
    graph.rootTaskId === null
      ? await sql(em, `${select} where project_id = ? order by seq`, [graph.projectId])
      : await sql(em, `${select} where id = any(?::uuid[]) order by seq`, [graph.graphNodes.map((n) => n.id)]);
  const inGraph = new Set(graph.graphNodes.map((n) => n.id));
  return { tasks: toTasks(rows.filter((r) => inGraph.has(r.id as string))), whole };
}
