import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import path from 'node:path';
import { TEST_ADMIN_TOKEN } from '../../helpers/auth';

const ROOT = path.resolve(__dirname, '../../..');

/**
 * Builds the CLI once per test file into a temporary folder: one bundle of src/cli/main.ts by
 * esbuild (about a second; tsc of the whole project takes ~30 s on a busy machine), with the
 * npm packages left as imports, as the published build resolves them.
 */
export async function buildCli(): Promise<string> {
  const esbuild = await import('esbuild');
  // Inside the repository so that the packages resolve from its node_modules.
  const cache = path.join(ROOT, 'node_modules/.cache');
  mkdirSync(cache, { recursive: true });
  const outfile = path.join(mkdtempSync(path.join(cache, 'taskq-cli-')), 'taskq.js');
  await esbuild.build({ entryPoints: [path.join(ROOT, 'src/cli/main.ts')], bundle: true, platform: 'node', target: 'node20', format: 'cjs', packages: 'external', outfile, logLevel: 'error' });
  return outfile;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function cliEnv(url: string): Record<string, string> {
  return { TASKQ_URL: url, TASKQ_TOKEN: TEST_ADMIN_TOKEN };
}

/** Runs the built CLI to its end. */
export function runCli(bin: string, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = startCli(bin, args, env);
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Starts the built CLI (for long-running commands: worker, watch). */
export function startCli(bin: string, args: string[], env: Record<string, string> = {}): ChildProcess {
  const child = spawn(process.execPath, [bin, ...args], { cwd: ROOT, env: { ...process.env, NODE_ENV: '', VITEST: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  child.once('exit', () => process.removeListener('exit', kill));
  return child;
}
