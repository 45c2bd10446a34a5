import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU seconds spent by each side during a window: the server process, every PostgreSQL process
 * on the machine (backends are long-lived pool connections, so their counters persist), and the
 * bench itself. On a 2-core machine this shows which side saturates: 2 CPU-s per wall second is
 * everything there is.
 */
export interface CpuWindow {
  seconds: number;
  serverCpu: number;
  postgresCpu: number;
  benchCpu: number;
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux x86-64

function processCpu(pid: number | string): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND; // utime + stime
  } catch {
    return 0;
  }
}

function postgresCpu(): number {
  let total = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      if (comm === 'postgres' || comm === 'postmaster') total += processCpu(pid);
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

export class CpuMeter {
  constructor(private readonly serverPid: number) {}

  begin(): { end(): CpuWindow } {
    const t0 = process.hrtime.bigint();
    const server0 = processCpu(this.serverPid);
    const pg0 = postgresCpu();
    const bench0 = process.cpuUsage();
    return {
      end: () => {
        const bench = process.cpuUsage(bench0);
        return {
          seconds: Number(process.hrtime.bigint() - t0) / 1e9,
          serverCpu: processCpu(this.serverPid) - server0,
          postgresCpu: postgresCpu() - pg0,
          benchCpu: (bench.user + bench.system) / 1e6,
        };
      },
    };
  }
}
