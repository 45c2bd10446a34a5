import { beforeAll, describe, expect, it } from 'vitest';
import { createProject, createTask } from '../helpers/fixtures';
import { screenshot } from './support/browser';
import { statusCounts } from './support/seed';
import { waitForProject } from './support/dashboard';
import { eventually, signedIn, useBrowserSuite } from './support/suite';

const suite = useBrowserSuite();
let projectId: string;

beforeAll(async () => {
  const { ts } = suite;
  projectId = await createProject(ts, 'Flow control demo');
  for (let k = 0; k < 6; k++) await createTask(ts, { projectId, title: `job ${k}`, assignedTo: k < 4 ? 'batch' : null });
});

const paused = async () => (await suite.ts.ok(`query($p: ID!) { project(id: $p) { paused } }`, { p: projectId })).project.paused;

describe('dashboard flow-control panel', () => {
  it('pauses and resumes (live both ways), sets a concurrency limit, and bulk-cancels the filtered set after a dry-run count', async () => {
    const { ts, browser, origin } = suite;
    const page = await browser.newPage();
    await page.goto(signedIn(`${origin}/?project=${projectId}`));
    await waitForProject(page, projectId);
    const state = page.getByTestId('project-paused');
    await eventually(() => state.textContent()).toBe('running');

    // Pause from the page: the API says paused, claims get nothing.
    await page.getByTestId('pause-toggle').click();
    await eventually(() => state.textContent()).toBe('paused');
    expect(await paused()).toBe(true);
    expect((await ts.ok(`mutation($p: ID!) { claimNextTask(projectId: $p, workerId: "w") { id } }`, { p: projectId })).claimNextTask).toBeNull();
    // Resumed elsewhere (the API): the page follows through projectChanged, not its slow poll.
    const liveEvents = async () => Number((await page.getByTestId('flow-control').getAttribute('data-live-events')) ?? 0);
    await eventually(liveEvents).toBe(1);
    await ts.ok(`mutation($p: ID!) { resumeProject(id: $p) { id } }`, { p: projectId });
    await eventually(liveEvents).toBe(2);
    await eventually(() => state.textContent()).toBe('running');
    await eventually(() => page.getByTestId('pause-toggle').textContent()).toBe('Pause');

    // A concurrency limit set in the form shows in the table, with what runs under it.
    await page.getByTestId('limit-key').fill('api');
    await page.getByTestId('limit-value').fill('2');
    await page.getByTestId('limit-set').click();
    const row = page.locator('[data-testid="limits-body"] tr[data-limit-key="api"]');
    await eventually(() => row.locator('[data-field="limit"]').textContent()).toBe('2');
    expect((await ts.ok(`query($p: ID!) { concurrencyLimits(projectId: $p) { key limit } }`, { p: projectId })).concurrencyLimits).toEqual([{ key: 'api', limit: 2 }]);

    // Bulk cancel: READY tasks assigned to "batch". The dry run's count first, nothing changed yet.
    await page.locator('.flow-bulk summary').click();
    await page.getByTestId('bulk-status-READY').check();
    await page.getByTestId('bulk-assigned-to').fill('batch');
    await page.getByTestId('bulk-cancel').click();
    const preview = page.getByTestId('bulk-preview');
    await eventually(() => preview.textContent()).toBe('4 tasks match; 4 will be cancelled (their dependents blocked).');
    expect(await statusCounts(ts, projectId)).toEqual({ READY: 6 });
    await screenshot(page, 'dashboard-flow-control.png');
    await page.getByTestId('bulk-confirm').click();
    await eventually(() => page.getByTestId('bulk-result').textContent()).toBe('Cancelled: 4 changed of 4 matching.');
    expect(await statusCounts(ts, projectId)).toEqual({ READY: 2, CANCELLED: 4 });
    expect(await page.getByTestId('flow-error').isHidden()).toBe(true);
    await page.close();
  });
});
