import { Hono } from 'hono';
import type { AppDeps } from '../deps.js';
import { diskFreeBytes } from './disk.js';
import { STORAGE_RETRY_AFTER_SECONDS } from './health.js';

/** `/healthz` for load balancers and `/metrics` for Prometheus. Both unauthenticated and cheap. */
export function opsRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  app.get('/healthz', async (c) => {
    c.header('Cache-Control', 'no-store');
    const h = await deps.health!.check();
    if (h.ok) return c.json({ ok: true }, 200);
    c.header('Retry-After', String(STORAGE_RETRY_AFTER_SECONDS));
    return c.json({ ok: false, error: h.error }, 503);
  });
  app.get('/metrics', async (c) => {
    const body = deps.metrics.render(await diskFreeBytes(deps.config.dataDir));
    c.header('Cache-Control', 'no-store');
    return c.body(body, 200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
  });
  return app;
}
