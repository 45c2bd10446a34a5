import { spawn, ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { freePort } from './ports';
import { BENCH_ADMIN_TOKEN } from './auth';

/**
 * The server under test as a child process (`node dist/src/main.js`), so its memory is its own:
 * the bench's workers, pools and buffers never count towards the server's RSS.
 */
export class ServerProcess {
  private stderrTail = '';
  private exited: Promise<number | null>;
  /** How the process ended, when it has: shown when a workload finds the server gone. */
  exit: { code: number | null; signal: NodeJS.Signals | null; at: Date } | null = null;
  private stopping = false;

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    /** The database it serves (a workload may start a second server on it). */
    readonly databaseUrl: string,
  ) {
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.exit = { code, signal, at: new Date() };
        if (!this.stopping) process.stderr.write(`[bench] server pid ${child.pid} exited unexpectedly (code ${code}, signal ${signal}); a clean exit code 0 means it was sent SIGTERM/SIGINT by something else\n`);
        resolve(code);
      }),
    );
    // Keep the last few kB of the server's log: shown when it fails, otherwise ignored (LOG_LEVEL=warn).
    child.stderr?.on('data', (d: Buffer) => (this.stderrTail = (this.stderrTail + d.toString()).slice(-8_000)));
    child.stdout?.on('data', () => {});
  }

  get pid(): number {
    return this.child.pid!;
  }
  get url(): string {
    return `http://127.0.0.1:${this.port}/graphql`;
  }
  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}/graphql`;
  }
  get log(): string {
    return this.stderrTail;
  }

  /** `metricsPort`: where GET /metrics listens (a free port unless extraEnv says METRICS_PORT=off), or null. */
  readonly metricsPort: number | null = null;

  /** `extraEnv`: settings of this server only (e.g. AUTH_MODE=off for the access-control comparison). */
  static async start(databaseUrl: string, nodeArgs: string[] = [], extraEnv: Record<string, string> = {}): Promise<ServerProcess> {
    const port = await freePort();
    const metricsPort = extraEnv.METRICS_PORT === 'off' ? null : await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: databaseUrl, PORT: String(port), METRICS_PORT: metricsPort === null ? 'off' : String(metricsPort), LOG_LEVEL: 'warn', ADMIN_TOKEN: BENCH_ADMIN_TOKEN, ...extraEnv };
    delete env.SWEEP_INTERVAL_MS; // the default sweeper interval is part of what is measured
    const main = path.resolve(__dirname, '../src/main.js');
    const child = spawn(process.execPath, [...nodeArgs, main], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const server = new ServerProcess(child, port, databaseUrl);
    (server as { metricsPort: number | null }).metricsPort = metricsPort;
    await server.waitReady(60_000);
    return server;
  }

  private async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let exitCode: number | null | undefined;
    void this.exited.then((c) => (exitCode = c));
    while (Date.now() < deadline) {
      if (exitCode !== undefined) throw new Error(`server exited with code ${exitCode} during start:\n${this.stderrTail}`);
      if (await healthy(this.port)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`server not healthy after ${timeoutMs} ms:\n${this.stderrTail}`);
  }

  /** Graceful stop (SIGTERM), SIGKILL if it hangs. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 20_000);
    await this.exited;
    clearTimeout(timer);
  }
}

function healthy(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/healthz', timeout: 1_000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
  });
}

export interface MemoryWindow {
  /** Highest VmRSS seen by the 100 ms sampler during the window. */
  sampledPeakMb: number;
  /** VmHWM at the end of the window: the kernel's exact peak (since the window began when the reset worked). */
  hwmMb: number;
  /** True when VmHWM could be reset at the start (clear_refs), so hwmMb covers only this window. */
  hwmWindowed: boolean;
  endRssMb: number;
  samples: number;
}

/**
 * Samples /proc/<pid>/status VmRSS every `periodMs` and reads VmHWM at the end of each window.
 * Writing "5" to /proc/<pid>/clear_refs resets VmHWM to the current RSS (Linux >= 4.0), which
 * makes the peak per workload rather than since the server started.
 */
export class MemorySampler {
  private timer: NodeJS.Timeout | null = null;
  private peakKb = 0;
  private count = 0;
  private hwmReset = false;

  constructor(
    private readonly pid: number,
    private readonly periodMs: number,
  ) {}

  begin(): void {
    this.end();
    this.peakKb = 0;
    this.count = 0;
    try {
      writeFileSync(`/proc/${this.pid}/clear_refs`, '5');
      this.hwmReset = true;
    } catch {
      this.hwmReset = false;
    }
    this.sample();
    this.timer = setInterval(() => this.sample(), this.periodMs);
    this.timer.unref();
  }

  end(): MemoryWindow {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.sample();
    const status = readStatus(this.pid);
    return {
      sampledPeakMb: this.peakKb / 1024,
      hwmMb: (status.VmHWM ?? NaN) / 1024,
      hwmWindowed: this.hwmReset,
      endRssMb: (status.VmRSS ?? NaN) / 1024,
      samples: this.count,
    };
  }

  private sample(): void {
    const rss = readStatus(this.pid).VmRSS;
    if (rss === undefined) return;
    this.count++;
    if (rss > this.peakKb) this.peakKb = rss;
  }
}

/** The kB figures of /proc/<pid>/status (empty when the process is gone). */
function readStatus(pid: number): Record<string, number> {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return {};
  }
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^(Vm\w+):\s+(\d+) kB$/gm)) out[m[1]!] = Number(m[2]);
  return out;
}
