import { Hono } from 'hono';
import type { AppDeps } from '../deps.js';
import { diskFreeBytes } from './disk.js';
import { STORAGE_RETRY_AFTER_SECONDS } from './health.js';
import { utcDay } from '../shared/index.js';

/** `/healthz` for load balancers and `/metrics` for Prometheus. Both unauthenticated and cheap. */
export function opsRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  app.get('/healthz', async (c) => {
    c.header('Cache-Control', 'no-store');
    const h = await deps.health!.check();
    // A sink that is down never fails the health check (ingestion does not depend on it); it is reported.
    const forwarders = deps.forward?.status().map((s) => ({ sink: s.sink, ok: !s.down, lag_events: s.lagEvents, ...(s.lastError ? { error: s.lastError } : {}) }));
    if (h.ok) return c.json({ ok: true, ...(forwarders ? { forwarders } : {}) }, 200);
    c.header('Retry-After', String(STORAGE_RETRY_AFTER_SECONDS));
    return c.json({ ok: false, error: h.error, ...(forwarders ? { forwarders } : {}) }, 503);
  });
  app.get('/metrics', async (c) => {
    const body =
      deps.metrics.render(await diskFreeBytes(deps.config.dataDir), {
        logWritable: deps.log.writable(),
        rollupPendingSince: await rollupPendingSince(deps),
      }) + (deps.forward?.metricsText() ?? '');
    c.header('Cache-Control', 'no-store');
    return c.body(body, 200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
  });
  return app;
}

/**
 * For the "rollup not run" alert: a UTC log day is closed at the next midnight and the nightly
 * rollup persists it a few hours later. The oldest closed day still waiting says since when the
 * rollup has been behind, without a false alarm on a collector that received nothing.
 */
async function rollupPendingSince(deps: AppDeps): Promise<number> {
  const { rollups } = deps;
  const today = utcDay(deps.clock.now());
  for (const day of await deps.log.days()) {
    if (day >= today) break;
    if (!rollups.isRolledUp(day)) return Date.parse(`${day}T00:00:00Z`) / 1000 + 86_400;
  }
  return 0;
}
