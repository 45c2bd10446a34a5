import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TestServer } from '../helpers/server';
import { createProject } from '../helpers/fixtures';

let ts: TestServer;
beforeAll(async () => {
  ts = await startTestServer({ config: { dbPoolSize: 20 } });
});
afterAll(async () => {
  await ts?.close();
});

describe('concurrent claimers', () => {
  it('50 concurrent claimers over 2,000 tasks: every task is claimed exactly once', async () => {
    const p = await createProject(ts);
    for (let batch = 0; batch < 2; batch++) {
      const inputs = Array.from({ length: 1000 }, (_, i) => ({ projectId: p, title: `t${batch * 1000 + i}`, priority: 1 + (i % 10) }));
      await ts.ok(`mutation($i: [CreateTaskInput!]!) { createTasks(inputs: $i) { id } }`, { i: inputs });
    }
    // Leases of an hour: on a loaded machine the run can outlast the default 30 s lease, and an
    // expired lease rightly hands the task out again.
    const claimedBy = new Map<string, string[]>();
    const worker = async (w: number) => {
      for (;;) {
        const r = await ts.ok(`mutation($p: ID!, $w: String!) { claimNextTask(projectId: $p, workerId: $w, leaseSeconds: 3600) { id workerId } }`, { p, w: `w${w}` });
        const t = r.claimNextTask;
        if (!t) return;
        expect(t.workerId).toBe(`w${w}`);
        claimedBy.set(t.id, [...(claimedBy.get(t.id) ?? []), `w${w}`]);
      }
    };
    await Promise.all(Array.from({ length: 50 }, (_, w) => worker(w)));
    expect(claimedBy.size).toBe(2000);
    expect([...claimedBy.values()].filter((ws) => ws.length > 1)).toEqual([]);
    const left = await ts.ok(`query($p: ID!) { tasks(filter: { projectId: $p, statuses: [READY] }) { totalCount } }`, { p });
    expect(left.tasks.totalCount).toBe(0);
  }, 120_000);
});
