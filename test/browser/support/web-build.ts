import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

/**
 * The pages are served from dist/web (the server's defaultWebRoot()), which `npm run build`
 * produces and git does not hold: build it when it is missing or older than its sources.
 * Test files run in parallel processes, so a lock directory (mkdir is atomic) lets one build
 * while the others wait, then re-check and find it fresh.
 */
const ROOT = path.resolve(__dirname, '../../..');
const OUT = path.join(ROOT, 'dist', 'web');
const PAGES = ['dashboard.html', 'graphiql.html'].map((f) => path.join(OUT, f));
const SOURCES = [path.join(ROOT, 'web'), path.join(ROOT, 'scripts', 'build-web.mjs'), path.join(ROOT, 'package-lock.json')];
// In the temp dir, not the tree: keyed by checkout so two checkouts do not wait on each other.
const LOCK = path.join(os.tmpdir(), `web-build-${createHash('sha1').update(ROOT).digest('hex').slice(0, 12)}.lock`);
const STALE_LOCK_MS = 120_000; // a build takes seconds: an older lock was left by a killed run

function newestMtime(p: string): number {
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  return fs.readdirSync(p).reduce((max, name) => Math.max(max, newestMtime(path.join(p, name))), st.mtimeMs);
}

function isFresh(): boolean {
  if (!PAGES.every((f) => fs.existsSync(f))) return false;
  const built = Math.min(...PAGES.map((f) => fs.statSync(f).mtimeMs));
  return SOURCES.every((s) => !fs.existsSync(s) || newestMtime(s) <= built);
}

async function acquireLock(): Promise<void> {
  for (const started = Date.now(); ; ) {
    try {
      fs.mkdirSync(LOCK);
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const age = Date.now() - (fs.statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > STALE_LOCK_MS) fs.rmSync(LOCK, { recursive: true, force: true });
      if (Date.now() - started > 2 * STALE_LOCK_MS) throw new Error(`web build lock ${LOCK} held too long`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

export async function ensureWebBuilt(): Promise<void> {
  if (isFresh()) return;
  await acquireLock();
  try {
    if (isFresh()) return; // another test file built it while we waited
    const started = Date.now();
    await promisify(execFile)(process.execPath, [path.join(ROOT, 'scripts', 'build-web.mjs')], { cwd: ROOT, maxBuffer: 16 << 20 });
    console.log(`[browser tests] built dist/web in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    fs.rmSync(LOCK, { recursive: true, force: true });
  }
}
