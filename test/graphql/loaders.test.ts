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
  const onQuery = () => n++;
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

    // The counter sees every statement of the server's pool, background ones included (a sweeper
    // wake-up after the create, a token's lastUsedAt): the fewest of three runs is the request's.
    // An N+1 regression costs hundreds of statements in every run.
    const counted = async (n: number) => {
      let fewest = Infinity;
      let result: any;
      for (let i = 0; i < 3; i++) {
        const counter = countStatements(ts);
        result = await ts.ok(LIST, { p, n });
        counter.stop();
        fewest = Math.min(fewest, counter.count());
      }
      return { result, count: () => fewest };
    };
    const { result: r10, ...small } = await counted(10);
    const { result: r200, ...large } = await counted(200);

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
