import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * Debian's PgBouncer (the `pgbouncer` package; 1.18 here) in transaction mode in front of a
 * PostgreSQL, on a free port with a generated ini and auth file: `npm run test:pooler` and the
 * bench's W1 pooler variant start one. Every database name goes through (`* =`), so each test
 * file's clone is reachable.
 */
export interface PgBouncer {
  /** postgres://user@127.0.0.1:<port>/postgres: swap the database with withDatabase(). */
  url: string;
  stop(): Promise<void>;
}

const CANDIDATES = [process.env.PGBOUNCER_PATH, '/usr/sbin/pgbouncer', '/usr/bin/pgbouncer'];

function findBinary(): string {
  const found = pgBouncerBinary();
  if (!found) {
    throw new Error('test:pooler needs PgBouncer: install Debian\'s package (apt-get install pgbouncer) or set PGBOUNCER_PATH');
  }
  return found;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, log: () => string, timeoutMs = 15_000): Promise<void> {
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`pgbouncer exited (${child.exitCode}) before it listened:\n${log()}`);
    const open = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.end();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() - started > timeoutMs) throw new Error(`pgbouncer did not listen on ${port} within ${timeoutMs} ms:\n${log()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The binary, or null (the bench skips its pooler variant then). */
export function pgBouncerBinary(): string | null {
  return CANDIDATES.find((p) => p && fs.existsSync(p)) ?? null;
}

export async function startPgBouncer(serverUrl: string, options: { poolSize?: number } = {}): Promise<PgBouncer> {
  const binary = findBinary();
  const server = new URL(serverUrl);
  const user = decodeURIComponent(server.username || 'postgres');
  const password = decodeURIComponent(server.password);
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgbouncer-test-'));
  const serverLine = `host=${server.hostname} port=${server.port || 5432} user=${user}${password ? ` password=${password}` : ''}`;
  fs.writeFileSync(
    path.join(dir, 'pgbouncer.ini'),
    [
      '[databases]',
      `* = ${serverLine}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      // Clients are the tests on this machine; the server side uses the URL's credentials.
      'auth_type = trust',
      `auth_file = ${path.join(dir, 'users.txt')}`,
      'pool_mode = transaction',
      'max_client_conn = 1000',
      `default_pool_size = ${options.poolSize ?? 20}`,
      // Test databases are dropped WITH (FORCE): do not keep their server connections around.
      'server_idle_timeout = 5',
      'logfile =',
      'pidfile =',
      '',
    ].join('\n'),
  );
  fs.writeFileSync(path.join(dir, 'users.txt'), `"${user}" ""\n`);
  // PgBouncer refuses to run as root: then it runs as the OS user `postgres` (-u), which must
  // be able to read the generated files.
  const args: string[] = [];
  if (process.getuid?.() === 0) {
    try {
      execFileSync('id', ['-u', 'postgres'], { stdio: 'ignore' });
    } catch {
      throw new Error('pgbouncer refuses to run as root and there is no OS user "postgres" to run it as: run the suite as another user');
    }
    fs.chmodSync(dir, 0o755);
    for (const f of fs.readdirSync(dir)) fs.chmodSync(path.join(dir, f), 0o644);
    args.push('-u', 'postgres');
  }
  const child = spawn(binary, [...args, path.join(dir, 'pgbouncer.ini')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.on('data', (c) => (log += c));
  child.stderr!.on('data', (c) => (log += c));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  try {
    await waitForPort(port, child, () => log);
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  return {
    url: `postgres://${encodeURIComponent(user)}@127.0.0.1:${port}/postgres`,
    async stop() {
      process.removeListener('exit', killOnExit);
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
