import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TestServer } from '../helpers/server';
import { createProject } from '../helpers/fixtures';

let ts: TestServer;
beforeAll(async () => {
  // No background sweeps while statements are being counted.
  ts = await startTestServer({ config: { sweepIntervalMs: 60_000 } });
});
afterAll(async () => {
  await ts?.close();
});

/** Counts every SQL statement the server's ORM sends (queries go through its knex client). */
function countStatements(ts: TestServer): { count: () => number; stop: () => void } {
  const knex = ts.orm.em.getConnection().getKnex();
  let n = 0;
  const onQuery = (q: any) => { n++; if (process.env.SHOW_SQL) console.log("SQL", q.sql?.slice(0, 150)); };
  knex.on('query', onQuery);
  return { count: () => n, stop: () => knex.removeListener('query', onQuery) };
}

const LIST = `query($p: ID!, $n: Int!) { tasks(filter: { projectId: $p }, first: $n) {
  totalCount edges { node { id dependencies dependencyTasks { id title } dependents { id status } } } } }`;

describe('Task relations through DataLoaders', () => {
  it('listing 200 tasks with dependencyTasks and dependents costs a constant number of statements', async () => {
    const p = await createProject(ts);
    // A chain of 200: each depends on the one before.
    const inputs = Array.from({ length: 200 }, (_, i) => ({ projectId: p, title: `t${i}`, key: `k${i}`, dependencyKeys: i ? [`k${i - 1}`] : [] }));
    await ts.ok(`mutation($i: [CreateTaskInput!]!) { createTasks(inputs: $i) { id } }`, { i: inputs });

    const small = countStatements(ts);
    const r10 = await ts.ok(LIST, { p, n: 10 });
    small.stop();
    const large = countStatements(ts);
    const r200 = await ts.ok(LIST, { p, n: 200 });
    large.stop();

    expect(r10.tasks.edges).toHaveLength(10);
    expect(r200.tasks.edges).toHaveLength(200);
    const nodes = r200.tasks.edges.map((e: any) => e.node);
    expect(nodes[0].dependencyTasks).toEqual([]);
    expect(nodes[1].dependencyTasks.map((t: any) => t.id)).toEqual([nodes[0].id]);
    expect(nodes[0].dependents.map((t: any) => t.id)).toEqual([nodes[1].id]);
    // count + page + dependency ids + dependent ids (+ the tasks they name that were not on the
    // page): at most 5 statements whether the page holds 10 tasks or 200.
    expect(small.count()).toBeLessThanOrEqual(5);
    expect(large.count()).toBeLessThanOrEqual(5);
  });
});
