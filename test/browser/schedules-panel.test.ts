import { describe, expect, it } from 'vitest';
import { createProject, createTask } from '../helpers/fixtures';
import { node, waitForProject } from './support/dashboard';
import { eventually, signedIn, useBrowserSuite } from './support/suite';

const suite = useBrowserSuite();

describe('dashboard time panel', () => {
  it('lists the schedules with their next run and the SCHEDULED tasks with when they become ready', async () => {
    const { ts, browser, origin } = suite;
    const projectId = await createProject(ts, 'Time panel');
    await ts.ok(`mutation($i: UpsertScheduleInput!) { upsertSchedule(input: $i) { id } }`, {
      i: { projectId, name: 'new year', cron: '0 0 1 1 *', timezone: 'Europe/Berlin', task: { title: 'celebrate' } },
    });
    const later = await createTask(ts, { projectId, title: 'in an hour', delaySeconds: 3600 });
    expect(later.status).toBe('SCHEDULED');

    const page = await browser.newPage();
    await page.goto(signedIn(`${origin}/?project=${projectId}`));
    await waitForProject(page, projectId);
    const schedule = page.getByTestId('schedule-list').locator('li');
    await eventually(() => schedule.first().textContent()).toMatch(/new year 0 0 1 1 \* \(Europe\/Berlin\) next in [\d.]+ h/);
    const upcoming = page.getByTestId('upcoming-list').locator(`li[data-task-id="${later.id}"]`);
    await eventually(() => upcoming.textContent()).toMatch(/in an hour — ready in (59|60) min/);
    await node(page, later.id).click();
    await eventually(() => page.getByTestId('details-run-at').textContent()).toBeTruthy();
    await page.close();
  });
});
