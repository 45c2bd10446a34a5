import { beforeAll, describe, expect, it } from 'vitest';
import { foreignRequests, screenshot } from './support/browser';
import { hooks, node, shownCounts, type PageGlobals } from './support/dashboard';
import { seedLayersBySql } from './support/seed';
import { eventually, signedIn, useBrowserSuite } from './support/suite';
import type { OperationsHooks } from '../../web/dashboard/panels/operations-hooks';

/**
 * 10,000 tasks by default; TEST_DASHBOARD_TASKS (a multiple of 100) measures another size, e.g.
 * TEST_DASHBOARD_TASKS=100000 for the 100,000-task targets.
 */
const TASKS = Number(process.env.TEST_DASHBOARD_TASKS || 10_000);
const WIDTH = 100;
const LAYERS = TASKS / WIDTH;
if (!Number.isInteger(LAYERS) || LAYERS < 2) throw new Error(`TEST_DASHBOARD_TASKS must be a multiple of ${WIDTH} of at least ${2 * WIDTH}, got ${process.env.TEST_DASHBOARD_TASKS}`);
/**
 * The operator's targets (issue #18): counts and charts within 3 s and a readable graph within
 * 10 s more at 10,000 tasks; 10 s and 30 s more at 100,000.
 */
const COUNTS_BUDGET_MS = TASKS > 10_000 ? 10_000 : 3_000;
const GRAPH_BUDGET_MS = TASKS > 10_000 ? 30_000 : 10_000;
const fmt = new Intl.NumberFormat('en');

const suite = useBrowserSuite();
let projectId: string;
let layer0: string[];

/** LAYERS layers of 100; every task after the first layer waits on two tasks of the layer before. */
beforeAll(async () => {
  const started = Date.now();
  const seeded = await seedLayersBySql(suite.ts, `${fmt.format(TASKS)} tasks`, LAYERS, WIDTH);
  projectId = seeded.projectId;
  layer0 = seeded.ids.slice(0, WIDTH);
  console.log(`[dashboard scale] seeded ${TASKS} tasks by SQL in ${Date.now() - started} ms`);
}, 300_000);

describe(`dashboard with ${TASKS} tasks`, () => {
  it('shows counts and charts at once, a focused readable graph soon after, and stays live', async () => {
    const { ts, browser, origin } = suite;
    const page = await browser.newPage();
    await page.setViewportSize({ width: 1400, height: 900 });
    const opened = Date.now();
    await page.goto(signedIn(`${origin}/?project=${projectId}`));

    // Counts (the legend adds up to every task) and both charts drawn for this project.
    await page.waitForFunction(
      ({ id, total }) => {
        const g = globalThis as unknown as PageGlobals & { __operations?: OperationsHooks; document: { querySelectorAll(s: string): ArrayLike<{ getAttribute(n: string): string | null }> } };
        const items = Array.from(g.document.querySelectorAll('[data-testid="status-counts"] li[data-status]'));
        const shown = items.reduce((n, li) => n + Number(li.getAttribute('data-count')), 0);
        return shown === total && g.__operations?.projectId === id && g.__operations.refreshes > 0;
      },
      { id: projectId, total: TASKS },
      { timeout: 60_000, polling: 50 },
    );
    const countsMs = Date.now() - opened;

    await page.waitForFunction((id) => {
      const d = (globalThis as unknown as PageGlobals).__dashboard;
      if (d?.error) throw new Error(d.error);
      return d?.projectId === id && d.ready;
    }, projectId, { timeout: 120_000, polling: 50 });
    const graphMs = Date.now() - opened - countsMs;
    const d = await hooks(page);
    console.log(`[dashboard scale] ${TASKS} tasks: counts and charts ${countsMs} ms after opening; focused graph of ${d.nodeCount} tasks ${graphMs} ms later (ELK ${d.layoutMs} ms, draw ${d.renderMs} ms)`);

    expect(d.mode).toBe('focused');
    // The 50 most urgent READY tasks of the first layer (the core) and the 51 tasks of the second
    // layer that wait on them: about a hundred boxes, not 10,000.
    expect(d.nodeCount).toBe(101);
    expect(await shownCounts(page)).toMatchObject({ READY: WIDTH, PENDING: TASKS - WIDTH });
    expect(await page.getByTestId('focus-text').textContent()).toContain(`101 of ${fmt.format(TASKS)} tasks`);
    expect(countsMs).toBeLessThan(COUNTS_BUDGET_MS);
    expect(graphMs).toBeLessThan(GRAPH_BUDGET_MS);
    await screenshot(page, 'dashboard-10000-focused.png');

    // Live: a claim and a completion in view recolour their box and move the counts.
    const claimed = (await ts.ok(`mutation($p: ID!) { claimNextTask(projectId: $p, workerId: "w") { id } }`, { p: projectId })).claimNextTask.id as string;
    expect(layer0).toContain(claimed);
    await eventually(() => node(page, claimed).getAttribute('data-status')).toBe('RUNNING');
    await ts.ok(`mutation($id: ID!) { completeTask(id: $id, workerId: "w") { id } }`, { id: claimed });
    await eventually(() => node(page, claimed).getAttribute('data-status')).toBe('COMPLETED');
    await eventually(() => shownCounts(page)).toMatchObject({ READY: WIDTH - 1, COMPLETED: 1, PENDING: TASKS - WIDTH });
    await eventually(async () => (await page.evaluate(() => (globalThis as unknown as { __operations: OperationsHooks }).__operations)).totals?.completed).toBe(1);

    // The whole graph on demand.
    await page.getByTestId('show-full-graph').click();
    await eventually(async () => (await hooks(page)).mode).toBe('full');

    expect(foreignRequests(browser.requests, origin)).toEqual([]);
    expect(browser.errors).toEqual([]);
    await page.close();
  }, 240_000);
});
