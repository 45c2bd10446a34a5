import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TestServer } from '../helpers/server';
import { createProject, createTask, errorCode } from '../helpers/fixtures';

let ts: TestServer;
beforeAll(async () => {
  ts = await startTestServer();
});
afterAll(async () => {
  await ts?.close();
});

const GRAPH = `query($p: ID!, $r: ID) { dependencyGraph(projectId: $p, rootTaskId: $r) {
  nodes { id title status dependencies } edges { from to } levels criticalPath criticalPathMinutes cycles dot mermaid } }`;
const graph = async (p: string, r?: string) => (await ts.ok(GRAPH, { p, r })).dependencyGraph;

async function run(text: string, bindings: unknown[] = []): Promise<any[]> {
  const knex = (ts.orm.em.fork() as any).getConnection().getKnex();
  return (await knex.raw(text, bindings)).rows;
}

/** The stored estimate's duration drives the critical path; set it directly for exact numbers. */
async function setMinutes(id: string, minutes: number | null) {
  if (minutes === null) await run('update task set complexity = null where id = ?', [id]);
  else await run(`update task set complexity = jsonb_set(complexity::jsonb, '{estimatedDurationMinutes}', to_jsonb(?::int))::json where id = ?`, [minutes, id]);
}

const byFromTo = (a: { from: string; to: string }, b: { from: string; to: string }) => (a.from + a.to).localeCompare(b.from + b.to);

/** a <- b, a <- c, b <- d, c <- d: "x <- y" means y depends on x. */
async function diamond(p: string) {
  const a = await createTask(ts, { projectId: p, title: 'A' });
  const b = await createTask(ts, { projectId: p, title: 'B', dependencies: [a.id] });
  const c = await createTask(ts, { projectId: p, title: 'C', dependencies: [a.id] });
  const d = await createTask(ts, { projectId: p, title: 'D', dependencies: [b.id, c.id] });
  return { a: a.id, b: b.id, c: c.id, d: d.id };
}

describe('dependencyGraph', () => {
  it('a diamond: nodes, edges from dependency to dependent, three levels, no cycles', async () => {
    const p = await createProject(ts);
    const { a, b, c, d } = await diamond(p);
    const g = await graph(p);
    expect(g.nodes.map((n: any) => n.id)).toEqual([a, b, c, d]);
    expect(g.nodes[3]).toMatchObject({ title: 'D', status: 'PENDING' });
    expect([...g.nodes[3].dependencies].sort()).toEqual([b, c].sort());
    expect([...g.edges].sort(byFromTo)).toEqual(
      [
        { from: a, to: b },
        { from: a, to: c },
        { from: b, to: d },
        { from: c, to: d },
      ].sort(byFromTo),
    );
    expect(g.levels).toEqual([[a], [b, c], [d]]);
    expect(g.cycles).toEqual([]);
  });

  it('nodes read only the selected fields, and nested tasks still get every field they ask for', async () => {
    const p = await createProject(ts);
    const { a, b } = await diamond(p);
    await run('update task set description = ? where id = ?', ['the root', a]);
    const g = (
      await ts.ok(
        `query($p: ID!) { dependencyGraph(projectId: $p) { nodes { id title dependencyTasks { id description priority } } } }`,
        { p },
      )
    ).dependencyGraph;
    expect(g.nodes.map((n: any) => n.title)).toEqual(['A', 'B', 'C', 'D']);
    // B's dependency is A itself, also a node of this graph with only id and title read: the
    // nested selection must not get that partial snapshot.
    expect(g.nodes.find((n: any) => n.id === b).dependencyTasks).toEqual([{ id: a, description: 'the root', priority: 5 }]);
  });

  it('a chain: one level per task, the whole chain is the critical path', async () => {
    const p = await createProject(ts);
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await createTask(ts, { projectId: p, title: `step ${i}`, dependencies: ids.slice(-1) })).id);
    for (const id of ids) await setMinutes(id, 10);
    const g = await graph(p);
    expect(g.levels).toEqual(ids.map((id) => [id]));
    expect(g.criticalPath).toEqual(ids);
    expect(g.criticalPathMinutes).toBe(40);
  });

  it('the critical path follows the longer branch by stored estimate, 15 minutes without one', async () => {
    const p = await createProject(ts);
    const { a, b, c, d } = await diamond(p);
    await setMinutes(a, 20);
    await setMinutes(b, 30);
    await setMinutes(c, 90);
    await setMinutes(d, null);
    const g = await graph(p);
    expect(g.criticalPath).toEqual([a, c, d]);
    expect(g.criticalPathMinutes).toBe(20 + 90 + 15);

    await setMinutes(b, 100);
    expect((await graph(p)).criticalPath).toEqual([a, b, d]);
  });

  it('reports a cycle (inserted directly: the API refuses them) and leaves its tasks out of the levels', async () => {
    const p = await createProject(ts);
    const free = await createTask(ts, { projectId: p, title: 'free' });
    const x = await createTask(ts, { projectId: p, title: 'x' });
    const y = await createTask(ts, { projectId: p, title: 'y', dependencies: [x.id] });
    const behind = await createTask(ts, { projectId: p, title: 'behind', dependencies: [y.id] });
    await run('insert into task_dependency (task_id, depends_on_id) values (?, ?)', [x.id, y.id]);
    const g = await graph(p);
    // Each cycle starts at its smallest id, in dependency order: here either order is a cycle.
    expect(g.cycles).toEqual([[x.id, y.id].sort()]);
    expect(g.levels).toEqual([[free.id]]);
    expect(g.edges).toHaveLength(3);
    expect(g.criticalPath).toEqual([free.id]);
    expect(g.nodes.map((n: any) => n.id)).toEqual([free.id, x.id, y.id, behind.id]);
  });

  it('with rootTaskId: only the transitive dependencies and dependents of the root', async () => {
    const p = await createProject(ts);
    const { a, b, c, d } = await diamond(p);
    const after = await createTask(ts, { projectId: p, title: 'after D', dependencies: [d] });
    const unrelated = await createTask(ts, { projectId: p, title: 'unrelated' });
    const sibling = await createTask(ts, { projectId: p, title: 'sibling of B', dependencies: [a] });

    const g = await graph(p, b);
    const ids = g.nodes.map((n: any) => n.id);
    expect(ids).toEqual([a, b, d, after.id]);
    expect(ids).not.toContain(c);
    expect(ids).not.toContain(unrelated.id);
    expect(ids).not.toContain(sibling.id);
    // Edges stay inside the sub-graph: D's dependency on C is not shown.
    expect([...g.edges].sort(byFromTo)).toEqual(
      [
        { from: a, to: b },
        { from: b, to: d },
        { from: d, to: after.id },
      ].sort(byFromTo),
    );
    expect(g.levels).toEqual([[a], [b], [d], [after.id]]);
  });

  it('exports DOT and Mermaid with every node and edge', async () => {
    const p = await createProject(ts);
    const { a, b, c, d } = await diamond(p);
    const g = await graph(p);
    expect(g.dot).toMatch(/^digraph dependencies \{/);
    for (const id of [a, b, c, d]) expect(g.dot).toContain(`"${id}" [label=`);
    expect(g.dot).toContain(`"${a}" -> "${b}";`);
    expect(g.dot).toContain(`"${c}" -> "${d}";`);
    expect(g.dot).toContain('label="D"');

    expect(g.mermaid).toMatch(/^flowchart LR/);
    for (const [i, title] of ['A', 'B', 'C', 'D'].entries()) expect(g.mermaid).toContain(`n${i}["${title}"]`);
    for (const edge of ['n0 --> n1', 'n0 --> n2', 'n1 --> n3', 'n2 --> n3']) expect(g.mermaid).toContain(edge);
    expect(g.mermaid).toContain('classDef status_READY');
  });

  it('an empty project has an empty graph', async () => {
    const p = await createProject(ts);
    expect(await graph(p)).toMatchObject({ nodes: [], edges: [], levels: [], criticalPath: [], criticalPathMinutes: 0, cycles: [] });
  });

  it('answers PROJECT_NOT_FOUND and TASK_NOT_FOUND (also for a root of another project)', async () => {
    const p = await createProject(ts);
    const other = await createProject(ts);
    const elsewhere = await createTask(ts, { projectId: other, title: 'elsewhere' });
    const missing = '00000000-0000-4000-8000-000000000000';
    expect(errorCode(await ts.gql(GRAPH, { p: missing }))).toBe('PROJECT_NOT_FOUND');
    expect(errorCode(await ts.gql(GRAPH, { p, r: missing }))).toBe('TASK_NOT_FOUND');
    expect(errorCode(await ts.gql(GRAPH, { p, r: elsewhere.id }))).toBe('TASK_NOT_FOUND');
    expect(errorCode(await ts.gql(GRAPH, { p: 'nope' }))).toBe('BAD_USER_INPUT');
  });

  it('answers on 10,000 tasks: every node, edge and level', async () => {
    const p = await createProject(ts);
    // A 100 x 100 grid: task i waits for its left (i - 1) and upper (i - 100) neighbours.
    await run(
      `insert into task (id, project_id, title, status, complexity)
       select ('00000000-0000-4000-8000-' || lpad(to_hex(i), 12, '0'))::uuid, ?::uuid, 'grid ' || i,
              case when i = 0 then 'READY' else 'PENDING' end,
              jsonb_build_object('estimatedDurationMinutes', 15 + i % 7)
         from generate_series(0, 9999) i order by i`,
      [p],
    );
    await run(
      `insert into task_dependency (task_id, depends_on_id)
       select ('00000000-0000-4000-8000-' || lpad(to_hex(i), 12, '0'))::uuid, ('00000000-0000-4000-8000-' || lpad(to_hex(j), 12, '0'))::uuid
         from generate_series(0, 9999) i,
              lateral (select i - 1 as j where i % 100 <> 0 union all select i - 100 where i >= 100) n`,
    );
    // No timing here: `npm run bench` measures (a 2-core machine under load cannot be timed).
    const g = (await ts.ok(`query($p: ID!) { dependencyGraph(projectId: $p) { nodes { id status } edges { from to } levels criticalPath criticalPathMinutes cycles } }`, { p })).dependencyGraph;
    expect(g.nodes).toHaveLength(10_000);
    expect(g.edges).toHaveLength(2 * 99 * 100);
    expect(g.levels).toHaveLength(199); // anti-diagonals of the grid
    expect(g.criticalPath).toHaveLength(199);
    expect(g.cycles).toEqual([]);

    const light = (await ts.ok(`query($p: ID!) { dependencyGraph(projectId: $p) { levels criticalPath dot } }`, { p })).dependencyGraph;
    expect(light.levels).toEqual(g.levels);
    expect(light.dot.split('->').length - 1).toBe(2 * 99 * 100);
  });
});
