import { afterAll, beforeAll, expect } from 'vitest';
import { startTestServer, type TestServer } from '../../helpers/server';
import { launchBrowser, type Browser } from './browser';
import type { ChromiumCandidate } from './chromium';
import { ensureWebBuilt } from './web-build';
import { TEST_ADMIN_TOKEN } from '../../helpers/auth';

/** A page address with the sign-in link's fragment: the pages take the token from it. */
export function signedIn(url: string, token = TEST_ADMIN_TOKEN): string {
  return `${url}#token=${encodeURIComponent(token)}`;
}

export interface BrowserSuite {
  ts: TestServer;
  browser: Browser;
  /** The server's origin, e.g. http://127.0.0.1:41234 */
  origin: string;
}

/**
 * One real server (own database, pages from dist/web) and one Chromium per test file; filled
 * in by beforeAll. Chromium is started first, so a machine where none starts fails at once with
 * the reason instead of after a build and a server start.
 */
export function useBrowserSuite(options: { chromium?: () => Promise<ChromiumCandidate[]> } = {}): BrowserSuite {
  const suite = {} as BrowserSuite;
  beforeAll(async () => {
    suite.browser = await launchBrowser({ candidates: await options.chromium?.() });
    console.log(`[browser tests] Chromium: ${suite.browser.chromium.source} ${suite.browser.chromium.executablePath}`);
    await ensureWebBuilt();
    suite.ts = await startTestServer();
    suite.origin = new URL(suite.ts.url).origin;
  });
  afterAll(async () => {
    await suite.browser?.close();
    await suite.ts?.close();
  });
  return suite;
}

/** expect.poll with room for a loaded machine (its default gives up after 1 s). */
export const eventually = <T>(fn: () => T | Promise<T>, timeout = 15_000) => expect.poll(fn, { timeout, interval: 100 });
