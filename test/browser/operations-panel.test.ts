import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { foreignRequests, screenshot } from './support/browser';
import { claimNext, completeTask, failTask, seedLayeredProject, type SeededProject } from './support/seed';
import { waitForProject } from './support/dashboard';
import { eventually, signedIn, useBrowserSuite } from './support/suite';
import type { OperationsHooks } from '../../web/dashboard/panels/operations-hooks';

const suite = useBrowserSuite();
let seeded: SeededProject;

const ops = (page: Page) => page.evaluate(() => (globalThis as unknown as { __operations: OperationsHooks }).__operations);

beforeAll(async () => {
  const { ts } = suite;
  seeded = await seedLayeredProject(ts, 'Operations demo', 20, 5);
  // Two completed, one failed for good, two held by workers.
  for (let i = 0; i < 2; i++) await completeTask(ts, await claimNext(ts, seeded.projectId, 'worker-a'), { ok: true }, 'worker-a');
  await failTask(ts, await claimNext(ts, seeded.projectId, 'worker-a'), 'invalid input', 'worker-a');
  await claimNext(ts, seeded.projectId, 'worker-a');
  await claimNext(ts, seeded.projectId, 'worker-b');
});

describe('operations panel', () => {
  it('shows health, throughput and queue depth charts, and lease holders, and follows new work live', async () => {
    const { ts, browser, origin } = suite;
    const { projectId } = seeded;
    const page = await browser.newPage();
    await page.setViewportSize({ width: 1400, height: 900 });
    await page.goto(signedIn(`${origin}/?project=${projectId}`));
    await waitForProject(page, projectId);
    await eventually(async () => (await ops(page)).projectId).toBe(projectId);

    let o = await ops(page);
    expect(o.totals).toEqual({ claimed: 5, completed: 2, failed: 1 });
    const counts = (await ts.ok(`query($p: ID!) { taskCounts(projectId: $p) { status count } }`, { p: projectId })).taskCounts as { status: string; count: number }[];
    expect(o.depth).toEqual(Object.fromEntries(counts.map((c) => [c.status, c.count])));
    expect(o.depth).toMatchObject({ RUNNING: 2, COMPLETED: 2, FAILED: 1 });
    expect(o.ready).toBe(true);

    // Health strip: every readiness check, all ok, and the live feed.
    const strip = page.getByTestId('health-strip');
    for (const check of ['server', 'database', 'migrations', 'listen', 'shutdown']) {
      expect(await strip.locator(`li[data-check="${check}"]`).getAttribute('data-ok')).toBe('true');
    }
    await eventually(() => strip.locator('li[data-check="live"]').getAttribute('data-ok')).toBe('true');

    // Charts are uPlot canvases with their legends.
    for (const id of ['throughput-chart', 'depth-chart']) {
      expect(await page.getByTestId(id).locator('canvas').count()).toBeGreaterThan(0);
    }
    expect(await page.getByTestId('throughput-chart').locator('.u-legend').textContent()).toContain('completed');

    // Leases: both workers with their task and lease age.
    const leases = page.getByTestId('leases');
    expect(await leases.locator('tbody tr').count()).toBe(2);
    expect(await leases.locator('tbody tr[data-worker="worker-a"] td').nth(1).textContent()).toMatch(/^Step \d+$/);
    expect(await leases.locator('tbody tr[data-worker="worker-b"] [data-testid="lease-age"]').textContent()).toMatch(/\d+ s/);
    await screenshot(page, 'dashboard-operations.png');

    // Live: new completions show up without a reload.
    const running = await ts.ok(`query($p: ID!) { tasks(filter: { projectId: $p, statuses: [RUNNING] }, first: 10) { edges { node { id workerId } } } }`, { p: projectId });
    for (const { node } of running.tasks.edges) await completeTask(ts, node.id, { ok: true }, node.workerId);
    await eventually(async () => (await ops(page)).totals?.completed, 20_000).toBe(4);
    o = await ops(page);
    expect(o.depth).toMatchObject({ RUNNING: 0, COMPLETED: 4 });
    await eventually(() => leases.locator('tbody tr').count(), 20_000).toBe(0);
    expect(await leases.locator('caption').textContent()).toBe('No worker holds a lease');

    expect(foreignRequests(browser.requests, origin)).toEqual([]);
    expect(browser.errors).toEqual([]);
    await page.close();
  }, 120_000);
});
