import type { TestServer } from '../../helpers/server';
import { createProject } from '../../helpers/fixtures';
import { db } from '../../helpers/time';

const CREATE_TASKS = `mutation($i: [CreateTaskInput!]!) { createTasks(inputs: $i) { id title } }`;

export interface SeededProject {
  projectId: string;
  /** Task ids in creation order (index i is "Step i"). */
  ids: string[];
}

/**
 * `count` tasks in layers of `width`: task i waits on i - width (the one above it), every other
 * task also on its neighbour in that layer, every third on a task two layers up and three
 * columns over: one connected DAG with joins and crossings, not parallel chains. Created through
 * the API in batches of at most 1,000 (the createTasks limit); later batches refer to earlier
 * tasks by id.
 */
export async function seedLayeredProject(ts: TestServer, name: string, count: number, width: number): Promise<SeededProject> {
  const projectId = await createProject(ts, name);
  const ids: string[] = [];
  for (let start = 0; start < count; start += 1_000) {
    const inputs = [];
    for (let i = start; i < Math.min(count, start + 1_000); i++) {
      const deps = i >= width ? [i - width] : [];
      if (i > width && i % 2 === 0) deps.push(i - width - 1);
      if (i >= 2 * width && i % 3 === 0) deps.push(i - 2 * width + 3); // ties the columns together
      inputs.push({
        projectId,
        key: `t${i}`,
        title: `Step ${i}`,
        // Roots get descending priorities so claimNextTask takes Step 0, then Step 1, …
        priority: i < width ? 10 - Math.min(i, 8) : 5,
        dependencies: deps.filter((j) => j < start).map((j) => ids[j]),
        dependencyKeys: deps.filter((j) => j >= start).map((j) => `t${j}`),
      });
    }
    const data = await ts.ok<{ createTasks: { id: string; title: string }[] }>(CREATE_TASKS, { i: inputs });
    data.createTasks.forEach((t, k) => {
      if (t.title !== `Step ${start + k}`) throw new Error(`createTasks answered out of order: ${t.title} at ${start + k}`);
      ids.push(t.id);
    });
  }
  return { projectId, ids };
}

/** Claims the next task (highest priority READY) as `worker`; returns its id. */
export async function claimNext(ts: TestServer, projectId: string, worker = 'browser-test'): Promise<string> {
  const data = await ts.ok(`mutation($p: ID!, $w: String!) { claimNextTask(projectId: $p, workerId: $w) { id } }`, { p: projectId, w: worker });
  if (!data.claimNextTask) throw new Error('nothing to claim');
  return data.claimNextTask.id;
}

export async function completeTask(ts: TestServer, id: string, result: unknown, worker = 'browser-test'): Promise<void> {
  await ts.ok(`mutation($id: ID!, $w: String, $r: JSON) { completeTask(id: $id, workerId: $w, result: $r) { id } }`, { id, w: worker, r: result });
}

export async function failTask(ts: TestServer, id: string, error: string, worker = 'browser-test'): Promise<void> {
  await ts.ok(`mutation($id: ID!, $w: String, $e: String!) { failTask(id: $id, workerId: $w, error: $e, retryable: false) { id } }`, { id, w: worker, e: error });
}

export async function statusCounts(ts: TestServer, projectId: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  let after: string | null = null;
  for (;;) {
    type Page = { tasks: { edges: { node: { status: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };
    const data: Page = await ts.ok<Page>(
      `query($p: ID!, $a: String) { tasks(filter: { projectId: $p }, first: 500, after: $a) { edges { node { status } } pageInfo { hasNextPage endCursor } } }`,
      { p: projectId, a: after },
    );
    for (const e of data.tasks.edges) counts[e.node.status] = (counts[e.node.status] ?? 0) + 1;
    if (!data.tasks.pageInfo.hasNextPage) return counts;
    after = data.tasks.pageInfo.endCursor;
  }
}

/**
 * `layers` layers of `width` tasks written straight into the schema (100,000 tasks through
 * createTasks take minutes on a loaded 2-core machine; these statements a few seconds): task
 * (layer, col) waits on (layer - 1, col) and (layer - 1, col + 1 mod width). Rows as createTasks
 * would store them: the first layer READY, the rest PENDING waiting on 2, +1 effective priority
 * for tasks with dependents, a creation event each (the charts read the event log), creation
 * order = index order (`seq`, the frontier's tie-break), and the complexity estimate of a real
 * task with such a title. Returns the ids in index order.
 */
export async function seedLayersBySql(ts: TestServer, name: string, layers: number, width: number): Promise<SeededProject> {
  const projectId = await createProject(ts, name);
  const scratch = await createProject(ts, `${name} (estimate template)`);
  const [template] = await db<{ complexity: unknown }>(ts, 'select complexity from task where id = ?', [
    (await ts.ok<{ createTask: { id: string } }>(`mutation($p: ID!) { createTask(input: { projectId: $p, title: "L0·0" }) { id } }`, { p: scratch })).createTask.id,
  ]);
  const count = layers * width;
  // Ids derived from the index, so the dependency rows can name them without a round trip.
  const idOf = (i: string) => `md5(?::text || ':' || ${i})::uuid`;
  await db(
    ts,
    `insert into task (id, project_id, title, priority, effective_priority, status, waiting_on, context, metadata, max_retries, complexity, created_at, updated_at)
     select ${idOf('i')}, ?::uuid, 'L' || (i / ?::int) || '·' || (i % ?::int), 5,
            case when i / ?::int < ?::int - 1 then 6 else 5 end,
            case when i < ?::int then 'READY' else 'PENDING' end,
            case when i < ?::int then 0 else 2 end,
            '{}', '{}', 3, ?::jsonb, now(), now()
       from generate_series(0, ?::int - 1) i order by i`,
    [projectId, projectId, width, width, width, layers, width, width, JSON.stringify(template!.complexity), count],
  );
  await db(
    ts,
    `insert into task_dependency (task_id, depends_on_id)
     select ${idOf('i')}, ${idOf('d')}
       from generate_series(?::int, ?::int - 1) i,
            lateral (values (i - ?::int), ((i / ?::int - 1) * ?::int + (i % ?::int + 1) % ?::int)) as dep(d)`,
    [projectId, projectId, width, count, width, width, width, width, width],
  );
  await db(ts, `insert into task_event (task_id, project_id, previous_status, status) select id, project_id, null, status from task where project_id = ? order by seq`, [projectId]);
  await db(ts, 'analyze task, task_dependency, task_event');
  const ids = await db<{ id: string }>(ts, 'select id::text from task where project_id = ? order by seq', [projectId]);
  if (ids.length !== count) throw new Error(`seeded ${ids.length} tasks, expected ${count}`);
  return { projectId, ids: ids.map((r) => r.id) };
}
