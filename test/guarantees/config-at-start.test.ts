import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// "An invalid value stops the server at start with a message naming the variable", through the
// real entry point (src/main.ts in its own process), for every variable that takes a value.
// A new variable in src/config.ts gets a row here.

const ROOT = path.resolve(__dirname, '../..');

const INVALID: Array<[string, string]> = [
  ['PORT', 'abc'],
  ['PORT', '70000'],
  ['DATABASE_URL', 'mysql://localhost/x'],
  ['EMBEDDED_PG_PORT', '80'],
  ['LOG_LEVEL', 'loud'],
  ['DEFAULT_LEASE_SECONDS', '0'],
  ['MAX_LEASE_SECONDS', '1.5'],
  ['SWEEP_INTERVAL_MS', '600000'],
  ['EVENT_RETENTION_HOURS', '0'],
  ['DB_POOL_SIZE', '1'],
  ['SUBSCRIPTION_BUFFER_LIMIT', '20'],
  ['COMPLEXITY_CONFIG', '/nonexistent/weights.yaml'],
  ['METRICS_PORT', 'yes'],
  ['SLOW_OPERATION_MS', '0'],
  ['SHUTDOWN_DELAY_MS', '-1'],
  ['OTEL_EXPORTER_OTLP_ENDPOINT', 'collector:4318'],
  ['DATABASE_POOLER', 'session'],
  ['DATABASE_DIRECT_URL', 'http://not-postgres'],
  ['AUTH_MODE', 'maybe'],
  ['ADMIN_TOKEN', 'too-short'],
  ['QUERY_MAX_DEPTH', '0'],
  ['QUERY_MAX_ALIASES', 'many'],
  ['QUERY_MAX_TOKENS', '-5'],
  ['QUERY_MAX_COST', '0'],
  ['RATE_LIMIT_PER_MINUTE', '-1'],
  ['AUTH_FAILURES_PER_MINUTE', 'x'],
];

function start(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: 'postgres://127.0.0.1:1/never', ...env };
  delete childEnv.NODE_ENV;
  delete childEnv.VITEST;
  const child = spawn(process.execPath, ['-r', '@swc-node/register', 'src/main.ts'], { cwd: ROOT, env: childEnv, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(killer);
      resolve({ code, stderr });
    }),
  );
}

describe('configuration is checked at start, through the real entry point', () => {
  it('every invalid value stops the process with exit code 2 and a message naming the variable', async () => {
    const results: Array<{ name: string; value: string; code: number | null; stderr: string }> = [];
    // Two at a time: each start loads the whole server (about a second of CPU).
    const queue = [...INVALID];
    await Promise.all(
      [0, 1].map(async () => {
        for (let next = queue.shift(); next; next = queue.shift()) {
          const [name, value] = next;
          results.push({ name, value, ...(await start({ [name]: value })) });
        }
      }),
    );
    for (const r of results) {
      expect({ variable: r.name, value: r.value, code: r.code }).toEqual({ variable: r.name, value: r.value, code: 2 });
      expect(r.stderr).toMatch(new RegExp(`^Configuration error: .*${r.name}`, 'm'));
      expect(r.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
    }
  }, 240_000);
});
