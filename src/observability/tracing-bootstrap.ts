import { loadConfig } from '../config';
import type { Tracing } from './tracing';

/**
 * Starts tracing when OTEL_EXPORTER_OTLP_ENDPOINT is set, before anything requires `http`,
 * `graphql` or `pg` (instrumentations patch modules as they load): main.ts imports this first.
 * The OpenTelemetry packages are only loaded when tracing is on. An invalid configuration is
 * left for main.ts to report.
 */
function endpoint(): string | null {
  try {
    return loadConfig().otlpEndpoint;
  } catch {
    return null;
  }
}

const configured = endpoint();
export const tracing: Tracing | null = configured ? (require('./tracing') as typeof import('./tracing')).startTracing(configured) : null;
