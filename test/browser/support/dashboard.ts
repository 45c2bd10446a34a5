import type { Page } from 'playwright-core';
import type { DashboardHooks } from '../../../web/dashboard/hooks';

export type { DashboardHooks };

/** Page-side globals, typed here because the tests compile without the DOM library. */
export type PageGlobals = { __dashboard?: DashboardHooks; __sameDocument?: boolean; getComputedStyle(el: unknown): { fill: string } };

export const hooks = (page: Page): Promise<DashboardHooks> =>
  page.evaluate(() => (globalThis as unknown as PageGlobals).__dashboard!);

/** Waits until `projectId` is loaded, laid out and drawn. */
export async function waitForProject(page: Page, projectId: string, timeout = 30_000): Promise<DashboardHooks> {
  await page.waitForFunction(
    (id) => {
      const d = (globalThis as unknown as PageGlobals).__dashboard;
      if (d?.error) throw new Error(`dashboard error: ${d.error}`);
      return d?.projectId === id && d.ready;
    },
    projectId,
    { timeout, polling: 100 },
  );
  return hooks(page);
}

export const node = (page: Page, taskId: string) => page.locator(`[data-testid="graph"] g[data-task-id="${taskId}"]`);

/** The legend's per-status counts, as the page shows them. */
export async function shownCounts(page: Page): Promise<Record<string, number>> {
  return page.$$eval('[data-testid="status-counts"] li[data-status]', (items) =>
    Object.fromEntries(items.map((li) => [li.getAttribute('data-status')!, Number(li.getAttribute('data-count'))])),
  );
}
