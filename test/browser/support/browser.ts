import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { chromiumCandidates, firstLine, FIX_HINT, type ChromiumCandidate } from './chromium';

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
  /** The Chromium that started (system, bundled or CHROMIUM_PATH). */
  chromium: ChromiumCandidate;
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
 *
 * The candidates (./chromium.ts) are tried in order; when none starts, the error is one line
 * saying what was tried and how to fix it, so the browser tests fail instead of being skipped.
 */
export async function launchBrowser(options: { candidates?: ChromiumCandidate[] } = {}): Promise<Browser> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'browser-test-profile-'));
  const tried: string[] = [];
  let context: BrowserContext | null = null;
  let used: ChromiumCandidate | null = null;
  try {
    for (const candidate of options.candidates ?? (await chromiumCandidates())) {
      try {
        context = await chromium.launchPersistentContext(profile, {
          executablePath: candidate.executablePath,
          env: { ...process.env, ...candidate.env },
          headless: true,
          args: ARGS,
          viewport: { width: 1400, height: 900 },
        });
        used = candidate;
        break;
      } catch (e) {
        tried.push(`${candidate.source} ${candidate.executablePath}: ${firstLine(e)}`);
      }
    }
  } catch (e) {
    tried.push(firstLine(e));
  }
  if (!context || !used) {
    fs.rmSync(profile, { recursive: true, force: true });
    throw new Error(`Browser tests could not start any Chromium (${tried.join('; ')}); ${FIX_HINT}`);
  }
  const ctx = context;
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
  ctx.on('page', watch);
  ctx.pages().forEach(watch);
  return {
    context: ctx,
    chromium: used,
    requests,
    errors,
    newPage: () => ctx.newPage(),
    async close() {
      await ctx.close();
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
