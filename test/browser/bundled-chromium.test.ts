import { describe, expect, it } from 'vitest';
import { createProject } from '../helpers/fixtures';
import { foreignRequests, launchBrowser } from './support/browser';
import { bundledChromium } from './support/chromium';
import { eventually, signedIn, useBrowserSuite } from './support/suite';

/**
 * Issue #12: `npm ci && npm test` on a machine without a system Chromium. The Chromium that
 * arrives with `npm ci` (@sparticuz/chromium) is driven here even where Debian's is installed,
 * so every run proves the fallback renders the real pages; `.ci/run` also runs all browser
 * tests with TEST_CHROMIUM=bundled.
 */
const suite = useBrowserSuite({ chromium: async () => [await bundledChromium()] });

describe('the Chromium that comes with npm ci', () => {
  it('renders the dashboard from the real server, same-origin only', async () => {
    const { ts, browser, origin } = suite;
    expect(browser.chromium.source).toBe('bundled');
    const projectId = await createProject(ts, 'Bundled Chromium');
    const page = await browser.newPage();
    await page.goto(signedIn(`${origin}/`));
    await eventually(() => page.getByTestId('project-select').locator(`option[value="${projectId}"]`).count()).toBe(1);
    expect(await page.evaluate('navigator.userAgent')).toContain('HeadlessChrome/');
    expect(foreignRequests(browser.requests, origin)).toEqual([]);
    expect(browser.errors).toEqual([]);
  });

  it('fails with one line saying why and how to fix it when no Chromium starts', async () => {
    const missing = { source: 'CHROMIUM_PATH' as const, executablePath: '/nonexistent/chromium', env: {} };
    const error: Error = await launchBrowser({ candidates: [missing] }).then(
      () => new Error('launched'),
      (e: Error) => e,
    );
    expect(error.message).toMatch(/^Browser tests could not start any Chromium \(CHROMIUM_PATH \/nonexistent\/chromium: .+\); fix: .*npm ci.*CHROMIUM_PATH/);
    expect(error.message).not.toContain('\n');
  });
});
