import { Hono } from 'hono';
import type { AppDeps } from '../deps.js';
import { diskFreeBytes } from './disk.js';

/** `/healthz` for load balancers and `/metrics` for Prometheus. Both unauthenticated and cheap. */
export function opsRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  app.get('/healthz', (c) => {
    c.header('Cache-Control', 'no-store');
    // A sink that is down never fails the health check (ingestion does not depend on it); it is reported.
    const forwarders = deps.forward?.status().map((s) => ({ sink: s.sink, ok: !s.down, lag_events: s.lagEvents, ...(s.lastError ? { error: s.lastError } : {}) }));
    if (deps.log.writable()) return c.json({ ok: true, ...(forwarders ? { forwarders } : {}) }, 200);
    return c.json({ ok: false, error: 'event log is not writable', ...(forwarders ? { forwarders } : {}) }, 503);
  });
  app.get('/metrics', async (c) => {
    const body = deps.metrics.render(await diskFreeBytes(deps.config.dataDir)) + (deps.forward?.metricsText() ?? '');
    c.header('Cache-Control', 'no-store');
    return c.body(body, 200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
  });
  return app;
}
