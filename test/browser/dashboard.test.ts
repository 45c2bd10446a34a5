import { beforeAll, describe, expect, it } from 'vitest';
import { createProject, createTask } from '../helpers/fixtures';
import { foreignRequests, screenshot } from './support/browser';
import { claimNext, completeTask, failTask, seedLayeredProject, statusCounts, type SeededProject } from './support/seed';
import { hooks, node, shownCounts, waitForProject, type PageGlobals } from './support/dashboard';
import { eventually, useBrowserSuite, signedIn } from './support/suite';

const STATUSES = ['PENDING', 'SCHEDULED', 'READY', 'RUNNING', 'BLOCKED', 'COMPLETED', 'FAILED', 'CANCELLED', 'RETRYING'];

const suite = useBrowserSuite();
let seeded: SeededProject;

beforeAll(async () => {
  const { ts } = suite;
  // Another project first, so the dashboard opens on it and the test has to pick ours.
  await createTask(ts, { projectId: await createProject(ts, 'A first project'), title: 'elsewhere' });
  seeded = await seedLayeredProject(ts, 'Browser demo', 30, 5);
  // Step 0 fails for good: its dependents are BLOCKED and everything after them stalls.
  expect(await claimNext(ts, seeded.projectId)).toBe(seeded.ids[0]);
  await failTask(ts, seeded.ids[0]!, 'validation failed: input file missing');
  expect(await claimNext(ts, seeded.projectId)).toBe(seeded.ids[1]);
  await completeTask(ts, seeded.ids[1]!, { ok: true, rows: 42 });
});

describe('dashboard at /', () => {
  it('shows the picked project live: graph, counts, stalled marks, details, status changes', async () => {
    const { ts, browser, origin } = suite;
    const { projectId, ids } = seeded;
    const page = await browser.newPage();
    await page.goto(signedIn(`${origin}/`));
    const select = page.getByTestId('project-select');
    // Other tests of this file may add projects first (in any order): wait for ours to be listed.
    await eventually(() => select.locator(`option[value="${projectId}"]`).count()).toBe(1);
    await select.selectOption(projectId);
    const loaded = await waitForProject(page, projectId);

    expect(loaded.nodeCount).toBe(30);
    // The event cursor was read before the tasks (latestEventCursor), so the feed resumes from it.
    expect(loaded.lastCursor).toMatch(/^\d+-\d+$/);
    await eventually(() => page.locator('[data-testid="graph"] g[data-task-id][data-status]').count()).toBe(30);

    const expected = await statusCounts(ts, projectId);
    expect(expected).toMatchObject({ FAILED: 1, COMPLETED: 1 });
    await eventually(() => shownCounts(page)).toEqual(Object.fromEntries(STATUSES.map((s) => [s, expected[s] ?? 0])));

    // Stalled marks: exactly the tasks the API reports, each marked in the graph.
    const report = (await ts.ok(`query($p: ID!) { detectDeadlocks(projectId: $p) { stalled { task { id } } } }`, { p: projectId })).detectDeadlocks;
    const stalled: string[] = report.stalled.map((s: { task: { id: string } }) => s.task.id);
    expect(stalled).toContain(ids[5]); // waits on the failed Step 0
    await eventually(() => page.getByTestId('stalled-count').textContent()).toBe(String(stalled.length));
    for (const id of stalled) expect(await node(page, id).getAttribute('data-mark')).toContain('stalled');
    expect(await node(page, ids[2]!).getAttribute('data-mark')).toBeNull();

    // Details of a node: the failed task shows its error, the completed one its result.
    await node(page, ids[0]!).click();
    await eventually(() => page.getByTestId('details-title').textContent()).toBe('Step 0');
    expect(await page.getByTestId('details-status').textContent()).toBe('FAILED');
    await eventually(() => page.getByTestId('details-error').textContent()).toContain('validation failed: input file missing');
    await node(page, ids[1]!).click();
    await eventually(() => page.getByTestId('details-title').textContent()).toBe('Step 1');
    await eventually(() => page.getByTestId('details-result').textContent()).toContain('"rows": 42');
    await screenshot(page, 'dashboard.png');

    // Live: a task claimed and completed through the API changes colour in place (no reload).
    await page.evaluate(() => ((globalThis as unknown as PageGlobals).__sameDocument = true));
    expect(await node(page, ids[2]!).getAttribute('data-status')).toBe('READY');
    const fill = () => node(page, ids[2]!).locator('rect').first().evaluate((r) => (globalThis as unknown as PageGlobals).getComputedStyle(r).fill);
    const readyFill = await fill();
    expect(await claimNext(ts, projectId)).toBe(ids[2]);
    await eventually(() => node(page, ids[2]!).getAttribute('data-status')).toBe('RUNNING');
    await node(page, ids[2]!).click();
    await completeTask(ts, ids[2]!, { done: 'live' });
    await eventually(() => node(page, ids[2]!).getAttribute('data-status')).toBe('COMPLETED');
    await eventually(() => node(page, ids[7]!).getAttribute('data-status')).toBe('READY'); // Step 7 waited only on Step 2
    expect(await fill()).not.toBe(readyFill);
    await eventually(() => page.getByTestId('details-status').textContent()).toBe('COMPLETED');
    await eventually(() => page.getByTestId('details-result').textContent()).toContain('"done": "live"');
    await eventually(() => shownCounts(page).then((c) => c.COMPLETED)).toBe(2);
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).__sameDocument)).toBe(true);
    expect((await hooks(page)).eventsApplied).toBeGreaterThanOrEqual(3); // RUNNING, COMPLETED, Step 7 READY
    expect(await page.getByTestId('connection-state').getAttribute('data-state')).toBe('live');
    await screenshot(page, 'dashboard-live.png');
    await page.close();
  });

  it('misses nothing that changes between loading the tasks and subscribing', async () => {
    const { ts, browser, origin } = suite;
    const { projectId, ids } = await seedLayeredProject(ts, 'Snapshot race', 3, 3);
    const page = await browser.newPage();
    // Hold the task list on its way back to the page and change the project meanwhile: the
    // page then draws a snapshot older than the server, and only the event feed (resumed from
    // latestEventCursor, read before the list) can tell it what happened.
    let held = false;
    await page.route('**/graphql', async (route) => {
      if (held || !route.request().postData()?.includes('DashboardTasks')) return route.continue();
      held = true;
      const response = await route.fetch();
      expect(await claimNext(ts, projectId)).toBe(ids[0]);
      await ts.ok(`mutation($p: ID!) { createTask(input: { projectId: $p, title: "Late arrival" }) { id } }`, { p: projectId });
      await route.fulfill({ response });
    });
    await page.goto(signedIn(`${origin}/?project=${projectId}`));
    await waitForProject(page, projectId);
    expect(held).toBe(true);
    await eventually(() => node(page, ids[0]!).getAttribute('data-status')).toBe('RUNNING');
    await eventually(() => hooks(page).then((d) => d.nodeCount)).toBe(4);
    await page.close();
  });

  it('loaded nothing from outside the server', async () => {
    const { ts, browser, origin } = suite;
    // A page of its own (the tests of this file may run in any order): loading a project brings
    // every kind of traffic (page, script, GraphQL, layout worker, socket).
    const page = await browser.newPage();
    await page.goto(signedIn(`${origin}/`));
    const select = page.getByTestId('project-select');
    await eventually(() => select.locator(`option[value="${seeded.projectId}"]`).count()).toBe(1);
    await select.selectOption(seeded.projectId);
    await waitForProject(page, seeded.projectId);
    await page.close();
    // The recorder saw all of it…
    const seen = browser.requests;
    expect(seen).toContain(`${origin}/`);
    expect(seen).toContain(`${origin}/graphql`);
    expect(seen.some((u) => /\/assets\/workers\/elk\.worker-\w+\.js$/.test(u))).toBe(true);
    expect(seen).toContain(`${ts.wsUrl}`);
    // …and all of it went to the server's own origin.
    expect(foreignRequests(seen, origin)).toEqual([]);
    expect(browser.errors).toEqual([]);
  });
});
