import type { AppConfig } from './config';
import { currentRequest } from './observability/request-context';

const ORDER = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;

export interface Logger {
  debug(msg: string, extra?: unknown): void;
  info(msg: string, extra?: unknown): void;
  warn(msg: string, extra?: unknown): void;
  error(msg: string, extra?: unknown): void;
}

/** One JSON line per entry on stderr, so logs can be shipped as they are. */
export function createLogger(level: AppConfig['logLevel']): Logger {
  const min = ORDER[level];
  const write = (lvl: keyof typeof ORDER, msg: string, extra?: unknown) => {
    if (ORDER[lvl] < min) return;
    const detail = extra instanceof Error ? { error: extra.message, stack: extra.stack } : extra === undefined ? {} : { extra };
    // Inside a request (src/observability/request-context.ts): its id and operation on every line.
    const request = currentRequest();
    process.stderr.write(JSON.stringify({ time: new Date().toISOString(), level: lvl, ...request, msg, ...detail }) + '\n');
  };
  return {
    debug: (m, e) => write('debug', m, e),
    info: (m, e) => write('info', m, e),
    warn: (m, e) => write('warn', m, e),
    error: (m, e) => write('error', m, e),
  };
}
