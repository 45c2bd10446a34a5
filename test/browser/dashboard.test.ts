import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server';
import { createProject, createTask } from '../helpers/fixtures';
import { ensureWebBuilt } from './support/web-build';
import { foreignRequests, launchBrowser, screenshot, type Browser } from './support/browser';
import { claimNext, completeTask, failTask, seedLayeredProject, statusCounts, type SeededProject } from './support/seed';
import { hooks, node, shownCounts, waitForProject, type PageGlobals } from './support/dashboard';

const STATUSES = ['PENDING', 'READY', 'RUNNING', 'BLOCKED', 'COMPLETED', 'FAILED', 'CANCELLED', 'RETRYING'];

let ts: TestServer;
let browser: Browser;
let origin: string;
let seeded: SeededProject;

beforeAll(async () => {
  await ensureWebBuilt();
  [ts, browser] = await Promise.all([startTestServer(), launchBrowser()]);
  origin = new URL(ts.url).origin;
  // Another project first, so the dashboard opens on it and the test has to pick ours.
  await createTask(ts, { projectId: await createProject(ts, 'A first project'), title: 'elsewhere' });
  seeded = await seedLayeredProject(ts, 'Browser demo', 30, 5);
  // Step 0 fails for good: its dependents are BLOCKED and everything after them stalls.
  expect(await claimNext(ts, seeded.projectId)).toBe(seeded.ids[0]);
  await failTask(ts, seeded.ids[0]!, 'validation failed: input file missing');
  expect(await claimNext(ts, seeded.projectId)).toBe(seeded.ids[1]);
  await completeTask(ts, seeded.ids[1]!, { ok: true, rows: 42 });
});
afterAll(async () => {
  await browser?.close();
  await ts?.close();
});

describe('dashboard at /', () => {
  it('shows the picked project live: graph, counts, stalled marks, details, status changes', async () => {
    const { projectId, ids } = seeded;
    const page = await browser.newPage();
    await page.goto(`${origin}/`);
    const select = page.getByTestId('project-select');
    await expect.poll(() => select.locator('option').count()).toBe(2);
    await select.selectOption(projectId);
    const loaded = await waitForProject(page, projectId);

    expect(loaded.nodeCount).toBe(30);
    // The event cursor was read before the tasks (latestEventCursor), so the feed resumes from it.
    expect(loaded.lastCursor).toMatch(/^\d+-\d+$/);
    await expect.poll(() => page.locator('[data-testid="graph"] g[data-task-id][data-status]').count()).toBe(30);

    const expected = await statusCounts(ts, projectId);
    expect(expected).toMatchObject({ FAILED: 1, COMPLETED: 1 });
    await expect.poll(() => shownCounts(page)).toEqual(Object.fromEntries(STATUSES.map((s) => [s, expected[s] ?? 0])));

    // Stalled marks: exactly the tasks the API reports, each marked in the graph.
    const report = (await ts.ok(`query($p: ID!) { detectDeadlocks(projectId: $p) { stalled { task { id } } } }`, { p: projectId })).detectDeadlocks;
    const stalled: string[] = report.stalled.map((s: { task: { id: string } }) => s.task.id);
    expect(stalled).toContain(ids[5]); // waits on the failed Step 0
    await expect.poll(() => page.getByTestId('stalled-count').textContent()).toBe(String(stalled.length));
    for (const id of stalled) expect(await node(page, id).getAttribute('data-mark')).toContain('stalled');
    expect(await node(page, ids[2]!).getAttribute('data-mark')).toBeNull();

    // Details of a node: the failed task shows its error, the completed one its result.
    await node(page, ids[0]!).click();
    await expect.poll(() => page.getByTestId('details-title').textContent()).toBe('Step 0');
    expect(await page.getByTestId('details-status').textContent()).toBe('FAILED');
    await expect.poll(() => page.getByTestId('details-error').textContent()).toContain('validation failed: input file missing');
    await node(page, ids[1]!).click();
    await expect.poll(() => page.getByTestId('details-title').textContent()).toBe('Step 1');
    await expect.poll(() => page.getByTestId('details-result').textContent()).toContain('"rows": 42');
    await screenshot(page, 'dashboard.png');

    // Live: a task claimed and completed through the API changes colour in place (no reload).
    await page.evaluate(() => ((globalThis as unknown as PageGlobals).__sameDocument = true));
    expect(await node(page, ids[2]!).getAttribute('data-status')).toBe('READY');
    const fill = () => node(page, ids[2]!).locator('rect').first().evaluate((r) => (globalThis as unknown as PageGlobals).getComputedStyle(r).fill);
    const readyFill = await fill();
    expect(await claimNext(ts, projectId)).toBe(ids[2]);
    await expect.poll(() => node(page, ids[2]!).getAttribute('data-status')).toBe('RUNNING');
    await node(page, ids[2]!).click();
    await completeTask(ts, ids[2]!, { done: 'live' });
    await expect.poll(() => node(page, ids[2]!).getAttribute('data-status')).toBe('COMPLETED');
    await expect.poll(() => node(page, ids[7]!).getAttribute('data-status')).toBe('READY'); // Step 7 waited only on Step 2
    expect(await fill()).not.toBe(readyFill);
    await expect.poll(() => page.getByTestId('details-status').textContent()).toBe('COMPLETED');
    await expect.poll(() => page.getByTestId('details-result').textContent()).toContain('"done": "live"');
    await expect.poll(() => shownCounts(page).then((c) => c.COMPLETED)).toBe(2);
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).__sameDocument)).toBe(true);
    expect((await hooks(page)).eventsApplied).toBeGreaterThanOrEqual(3); // RUNNING, COMPLETED, Step 7 READY
    expect(await page.getByTestId('connection-state').getAttribute('data-state')).toBe('live');
    await screenshot(page, 'dashboard-live.png');
    await page.close();
  });

  it('loaded nothing from outside the server', () => {
    expect(browser.requests.length).toBeGreaterThan(0);
    expect(foreignRequests(browser.requests, origin)).toEqual([]);
  });
});
