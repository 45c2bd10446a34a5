import http from 'node:http';
import type { Metrics } from './metrics';

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

/**
 * GET /metrics on its own port (METRICS_PORT), without a token: Prometheus scrapes it from
 * inside the network, so keep the port private. The database gauges are refreshed before each
 * answer; if the database cannot be read, the process metrics and counters are still served
 * (the database gauges keep their last values) and the failure is logged.
 */
export async function startMetricsServer(options: {
  metrics: Metrics;
  port: number;
  host: string;
  refresh: () => Promise<void>;
  onError: (e: unknown) => void;
}): Promise<MetricsServer> {
  const { metrics } = options;
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.statusCode = 404;
      return void res.end('Not found: metrics are at GET /metrics\n');
    }
    void (async () => {
      try {
        await options.refresh();
      } catch (e) {
        options.onError(e);
      }
      try {
        const body = await metrics.registry.metrics();
        res.setHeader('content-type', metrics.registry.contentType);
        res.end(body);
      } catch (e) {
        options.onError(e);
        res.statusCode = 500;
        res.end('metrics could not be collected\n');
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : options.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
