import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Debian's chromium: `npx playwright install` cannot download here, and CI apt-installs it. */
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const OUTPUT_DIR = path.resolve(__dirname, '../../../test-output');

export interface Browser {
  context: BrowserContext;
  /** Every URL the pages asked for (HTTP, workers, WebSockets), for the same-origin check. */
  requests: string[];
  /**
   * Uncaught exceptions and console errors. A load the page's CSP blocks (say from a CDN) never
   * becomes a request, only a console error: the same-origin check needs both lists.
   */
  errors: string[];
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

/**
 * A fresh profile each time (mkdtemp): GraphiQL keeps its tabs in localStorage, and a reused
 * profile would bring back an earlier run's editors. Playwright takes the profile directory as
 * launchPersistentContext's argument (it refuses a --user-data-dir flag).
 */
export function requireChromium(): void {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(
      `Browser tests need Chromium at ${CHROMIUM} (Debian package "chromium": apt-get install chromium; ` +
        'or set CHROMIUM_PATH). playwright-core drives it; `npx playwright install` is not used.',
    );
  }
}

export async function launchBrowser(): Promise<Browser> {
  requireChromium();
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'browser-test-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1400, height: 900 },
  });
  const requests: string[] = [];
  const errors: string[] = [];
  const watch = (page: Page) => {
    page.on('request', (r) => requests.push(r.url()));
    page.on('websocket', (ws) => requests.push(ws.url()));
    page.on('worker', (w) => requests.push(w.url()));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
  };
  context.on('page', watch);
  context.pages().forEach(watch);
  return {
    context,
    requests,
    errors,
    newPage: () => context.newPage(),
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** URLs that left `origin` (data: and blob: never leave the page; ws(s) must be the same host). */
export function foreignRequests(requests: string[], origin: string): string[] {
  const own = new URL(origin);
  return requests.filter((raw) => {
    const u = new URL(raw);
    if (u.protocol === 'data:' || u.protocol === 'blob:') return false;
    if (u.protocol === 'ws:' || u.protocol === 'wss:') return u.host !== own.host;
    return u.origin !== own.origin;
  });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(OUTPUT_DIR, { recursive: true });
  const file = path.join(OUTPUT_DIR, name);
  await page.screenshot({ path: file });
  return file;
}
