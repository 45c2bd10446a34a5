import type http from 'node:http';
import type { Pool } from 'pg';
import type { BenchConfig } from './config';
import type { MemorySampler, MemoryWindow, ServerProcess } from './server-process';
import type { HttpGql } from './workers-http';
import type { NotifyCounter } from './notify-counter';
import { CpuMeter, CpuWindow } from './cpu';

/** What every workload gets: the server under test, its meters, and the bench's connections. */
export interface BenchContext {
  config: BenchConfig;
  /** Where extra databases can be created (Scale's big table lives in one of its own). */
  adminUrl: string;
  /** The bench database (a second server process can be started on it). */
  databaseUrl: string;
  server: ServerProcess;
  memory: MemorySampler;
  cpu: CpuMeter;
  notifications: NotifyCounter;
  /** Bench-side pg pool (raw baselines, seeding, checks): workers + a few. */
  pool: Pool;
  agent: http.Agent;
  http: HttpGql;
  /** Extra resources a workload started (servers, databases): released even on Ctrl-C. */
  cleanups: Set<() => Promise<void>>;
}

/** One row of the final summary. `pass` null: a figure printed for information, no target. */
export interface SummaryRow {
  workload: string;
  figure: string;
  value: string;
  target: string;
  pass: boolean | null;
}

export interface WorkloadResult {
  name: string;
  data: unknown;
  summary: SummaryRow[];
}

export interface Meters {
  memory: MemoryWindow;
  cpu: CpuWindow;
  notifications: number;
}

/** Runs `work` inside one measurement window of every meter. */
export async function metered<T>(ctx: BenchContext, work: () => Promise<T>): Promise<{ result: T; meters: Meters }> {
  const cpu = await ctx.cpu.begin();
  ctx.memory.begin();
  const notified = ctx.notifications.count;
  const result = await work();
  const memory = ctx.memory.end();
  const notifications = ctx.notifications.count - notified;
  return { result, meters: { memory, cpu: await cpu.end(), notifications } };
}
