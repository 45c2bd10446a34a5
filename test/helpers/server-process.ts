import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { TEST_ADMIN_TOKEN } from './auth';

const ROOT = path.resolve(__dirname, '../..');

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  wsUrl: string;
  /** Everything the process wrote to stderr so far (its JSON log lines). */
  stderr(): string;
  /** Resolves with the exit code (or the signal that killed it). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, wait for the exit; SIGKILL if it has not exited within `timeoutMs`. */
  stop(timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * The real entry point (`src/main.ts`) in its own process, run from source through
 * @swc-node/register (which emits the decorator metadata type-graphql and MikroORM need; tsx
 * does not), so tests need no prior build. PORT=0 and the port is read from the ready line.
 * LOG_LEVEL defaults to info because the "GraphQL ready" line is an info entry.
 */
export async function startServerProcess(options: { databaseUrl: string; env?: Record<string, string>; startTimeoutMs?: number }): Promise<ServerProcess> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: options.databaseUrl, PORT: '0', METRICS_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ADMIN_TOKEN: TEST_ADMIN_TOKEN, ...options.env };
  // vitest sets NODE_ENV=test, which changes library behaviour (Apollo's signal handling among
  // others); the process should run as a user would run it.
  delete env.NODE_ENV;
  delete env.VITEST;
  const child = spawn(process.execPath, ['-r', '@swc-node/register', 'src/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
  // Never outlive the test worker, whatever happens to the test.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let log = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      process.removeListener('exit', killOnExit);
      resolve({ code, signal });
    }),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server process not ready after ${options.startTimeoutMs ?? 30_000} ms:\n${log}`)), options.startTimeoutMs ?? 30_000);
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      log += chunk;
      const m = /GraphQL ready at http:\/\/[^:]+:(\d+)\/graphql/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${m[1]}/graphql`);
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`server process exited (${code ?? signal}) before it was ready:\n${log}`));
    });
  });
  return {
    child,
    url,
    wsUrl: url.replace(/^http/, 'ws'),
    stderr: () => log,
    exited,
    async stop(timeoutMs = 10_000) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const kill = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const result = await exited;
      clearTimeout(kill);
      return result;
    },
  };
}
