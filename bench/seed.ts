import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';

/**
 * Test data written straight into the schema (creation is not what these workloads measure).
 * Every NOT NULL column is filled explicitly rather than left to defaults, so a schema change
 * that adds one fails here loudly instead of silently measuring something else.
 */

/** Empties the task tables between measurements so each starts from the same state. */
export async function truncateTasks(pool: Pool): Promise<void> {
  await pool.query('truncate task_event, task_dependency, task');
}

export async function createProject(pool: Pool, name: string): Promise<string> {
  const { rows } = await pool.query<{ id: string }>('insert into project (id, name, created_at) values ($1, $2, now()) returning id::text', [randomUUID(), name]);
  return rows[0]!.id;
}

/**
 * `count` READY no-op tasks, created over the last `count` milliseconds (distinct created_at,
 * so the claim order is the creation order, as after a stream of createTask calls).
 */
export async function insertReadyTasks(pool: Pool, projectId: string, count: number): Promise<void> {
  await pool.query(
    `insert into task (id, project_id, title, priority, effective_priority, status, context, metadata,
                       retry_count, max_retries, waiting_on, created_at, updated_at)
     select gen_random_uuid(), $1, 'no-op ' || i, 5, 5, 'READY', '{}', '{}', 0, 3, 0,
            now() - make_interval(secs => ($2 - i) / 1000.0), now() - make_interval(secs => ($2 - i) / 1000.0)
       from generate_series(1, $2::int) as i`,
    [projectId, count],
  );
}

/**
 * History: `count` COMPLETED tasks created over the last 90 days (uniformly), each started a
 * few minutes after creation and finished a few seconds to minutes later. Inserted in chunks so
 * no single statement holds a huge transaction.
 */
export async function insertCompletedHistory(pool: Pool, projectId: string, count: number, onChunk?: (done: number) => void): Promise<void> {
  const chunk = 100_000;
  for (let done = 0; done < count; done += chunk) {
    const n = Math.min(chunk, count - done);
    await pool.query(
      `insert into task (id, project_id, title, description, priority, effective_priority, status, context, result, metadata,
                         retry_count, max_retries, waiting_on, created_at, updated_at, started_at, completed_at)
       select gen_random_uuid(), $1, 'historic task ' || ($3::int + i), 'already done', p, p, 'COMPLETED',
              '{"input": 1}', '{"ok": true}', '{}', 0, 3, 0, c, c + s + d, c + s, c + s + d
         from (select i, 1 + (i % 10) as p,
                      now() - interval '90 days' * random() - interval '1 hour' as c,
                      interval '1 second' * (random() * 600) as s,
                      interval '1 second' * (1 + random() * 300) as d
                 from generate_series(1, $2::int) as i) x`,
      [projectId, n, done],
    );
    onChunk?.(done + n);
  }
}

export interface GraphShape {
  taskIds: string[];
  edges: [task: string, dependsOn: string][];
  statuses: Map<string, string>;
}

/**
 * A project of chains (length 10) and diamonds (A -> B, A -> C, {B, C} -> D), half the tasks
 * each, as a real workload of pipelines and fan-out/fan-in would look. Roots are READY, the rest
 * PENDING. `failedRoots` diamond roots are FAILED (their descendants are stalled) and
 * `cycle` adds one 3-task cycle (impossible through the API, but what detectDeadlocks is for).
 */
export function buildGraph(tasks: number, options: { failedRoots?: number; cycle?: boolean } = {}): GraphShape {
  const taskIds: string[] = [];
  const edges: [string, string][] = [];
  const statuses = new Map<string, string>();
  const add = (status: string) => {
    const id = randomUUID();
    taskIds.push(id);
    statuses.set(id, status);
    return id;
  };
  const budget = tasks - (options.cycle ? 3 : 0);
  const chainTasks = Math.floor(budget / 2 / 10) * 10;
  for (let c = 0; c < chainTasks / 10; c++) {
    let prev = add('READY');
    for (let k = 1; k < 10; k++) {
      const id = add('PENDING');
      edges.push([id, prev]);
      prev = id;
    }
  }
  let failed = options.failedRoots ?? 0;
  while (taskIds.length + 4 <= budget) {
    const a = add(failed-- > 0 ? 'FAILED' : 'READY');
    const b = add('PENDING');
    const c = add('PENDING');
    const d = add('PENDING');
    edges.push([b, a], [c, a], [d, b], [d, c]);
  }
  while (taskIds.length < budget) add('READY');
  if (options.cycle) {
    const [x, y, z] = [add('PENDING'), add('PENDING'), add('PENDING')];
    edges.push([x, y], [y, z], [z, x]);
  }
  return { taskIds, edges, statuses };
}

/** Writes a GraphShape into `projectId` in chunks (arrays through unnest: one statement per chunk). */
export async function insertGraph(pool: Pool, projectId: string, graph: GraphShape): Promise<void> {
  const chunk = 20_000;
  const dependedOn = new Set(graph.edges.map((e) => e[1]));
  // waiting_on: dependencies not COMPLETED yet (none are, in these graphs): what creation would store.
  const waitingOn = new Map<string, number>();
  for (const [task] of graph.edges) waitingOn.set(task, (waitingOn.get(task) ?? 0) + 1);
  for (let i = 0; i < graph.taskIds.length; i += chunk) {
    const ids = graph.taskIds.slice(i, i + chunk);
    await pool.query(
      `insert into task (id, project_id, title, priority, effective_priority, status, context, metadata,
                         retry_count, max_retries, waiting_on, created_at, updated_at)
       select x.id, $1, 'graph task ' || (x.n + $5::int), 5, x.ep, x.status, '{}', '{}', 0, 3, x.waiting,
              now() - make_interval(secs => (x.n + $5::int) / 1000.0), now()
         from unnest($2::uuid[], $3::text[], $4::smallint[], $6::int[]) with ordinality as x(id, status, ep, waiting, n)`,
      [projectId, ids, ids.map((id) => graph.statuses.get(id)), ids.map((id) => (dependedOn.has(id) ? 6 : 5)), i, ids.map((id) => waitingOn.get(id) ?? 0)],
    );
  }
  for (let i = 0; i < graph.edges.length; i += chunk) {
    const part = graph.edges.slice(i, i + chunk);
    await pool.query(`insert into task_dependency (task_id, depends_on_id) select * from unnest($1::uuid[], $2::uuid[])`, [
      part.map((e) => e[0]),
      part.map((e) => e[1]),
    ]);
  }
}

/** Planner statistics after a bulk load (what autovacuum would do a little later anyway). */
export async function analyze(pool: Pool, vacuum = false): Promise<void> {
  await pool.query(vacuum ? 'vacuum analyze task, task_dependency' : 'analyze task, task_dependency');
}
