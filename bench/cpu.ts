import { readFileSync } from 'node:fs';
import type { Pool } from 'pg';

/**
 * CPU seconds spent by each side during a window: the server process, the PostgreSQL processes
 * that work for this bench, and the bench itself. On a 2-core machine this shows which side
 * saturates: 2 CPU-s per wall second is everything there is.
 *
 * PostgreSQL: the backends connected to the bench database plus the shared background processes
 * (WAL writer, checkpointer, …), found through pg_stat_activity at both ends of the window. Each
 * process counts its own delta (a backend that appeared meanwhile counts from zero, one that
 * ended counts nothing): summing every `postgres` process on the machine instead went negative
 * whenever other work's connections closed during the window.
 */
export interface CpuWindow {
  seconds: number;
  serverCpu: number;
  postgresCpu: number;
  benchCpu: number;
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux x86-64

function processCpu(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND; // utime + stime
  } catch {
    return null; // gone, or not visible (a database on another host): counted as nothing
  }
}

const OUR_BACKENDS_SQL = `select pid from pg_stat_activity where datname = current_database() or backend_type <> 'client backend'`;

export class CpuMeter {
  constructor(
    private readonly serverPid: number,
    private readonly pool: Pool,
  ) {}

  private async postgresPids(): Promise<number[]> {
    return (await this.pool.query<{ pid: number }>(OUR_BACKENDS_SQL)).rows.map((r) => r.pid);
  }

  async begin(): Promise<{ end(): Promise<CpuWindow> }> {
    const before = new Map<number, number>();
    for (const pid of await this.postgresPids()) before.set(pid, processCpu(pid) ?? 0);
    const t0 = process.hrtime.bigint();
    const server0 = processCpu(this.serverPid) ?? 0;
    const bench0 = process.cpuUsage();
    return {
      end: async () => {
        const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
        const serverCpu = (processCpu(this.serverPid) ?? server0) - server0;
        const bench = process.cpuUsage(bench0);
        let postgresCpu = 0;
        for (const pid of new Set([...before.keys(), ...(await this.postgresPids())])) {
          const now = processCpu(pid);
          if (now !== null) postgresCpu += now - (before.get(pid) ?? 0);
        }
        return { seconds, serverCpu, postgresCpu, benchCpu: (bench.user + bench.system) / 1e6 };
      },
    };
  }
}
