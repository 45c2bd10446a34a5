import type { Express } from 'express';
import type { Health } from '../observability/health';

/**
 * GET /livez: the process answers (no database: an outage must not restart every instance).
 * GET /readyz: 200 when every readiness check passes, else 503 naming the failing ones; both
 * bodies list every check (src/observability/health.ts). Neither needs a token: probes carry none.
 */
export function mountHealthRoutes(app: Express, health: Health): void {
  app.get('/livez', (_req, res) => {
    res.setHeader('cache-control', 'no-store');
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const readiness = await health.readiness();
    res.setHeader('cache-control', 'no-store');
    res.status(readiness.ok ? 200 : 503).json({ status: readiness.ok ? 'ready' : 'not ready', failing: readiness.failing, checks: readiness.checks });
  });
}
