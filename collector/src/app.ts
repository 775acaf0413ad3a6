import { Hono } from 'hono';
import { isStorageFault, type AppDeps } from './deps.js';
import { createStorageHealth, STORAGE_RETRY_AFTER_SECONDS } from './ops/health.js';
import { ingestRoutes } from './ingest/routes.js';
import { opsRoutes } from './ops/routes.js';
import { dashKeyAuth } from './ops/auth.js';
import { requestTiming } from './ops/timing.js';
import { queryRoutes } from './query/routes.js';
import { privacyRoutes } from './privacy/routes.js';
import { staticRoutes } from './dashboard/routes.js';

/**
 * Builds the collector's HTTP surface. No listening here: `server.ts` does that, tests call
 * `app.request()`. Each folder contributes its routes; order matters only for the catch-alls.
 */
export function createApp(appDeps: AppDeps): Hono {
  const deps: AppDeps = appDeps.health
    ? appDeps
    : { ...appDeps, health: createStorageHealth({ dataDir: appDeps.config.dataDir, log: appDeps.log, logger: appDeps.logger }) };
  const app = new Hono();
  app.use('*', requestTiming(deps.metrics));
  app.use('/api/analytics/*', dashKeyAuth(deps.config.dashKey));
  app.route('/', opsRoutes(deps));
  app.route('/', ingestRoutes(deps));
  app.route('/', queryRoutes(deps));
  app.route('/', privacyRoutes(deps));
  app.route('/', staticRoutes(deps));
  app.notFound((c) => c.json({ ok: false, error: `no route for ${c.req.method} ${c.req.path}` }, 404));
  app.onError((err, c) => {
    // A full or unwritable disk anywhere (log, SQLite, erasure, audit) is "retry later", never a 500.
    if (isStorageFault(err)) {
      deps.health!.fault(c.req.path, err);
      deps.logger.error('storage refused a write', { path: c.req.path, error: err.message });
      c.header('Retry-After', String(STORAGE_RETRY_AFTER_SECONDS));
      return c.json({ ok: false, error: 'storage unavailable, retry later' }, 503);
    }
    deps.logger.error('unhandled', { path: c.req.path, error: err.message });
    return c.json({ ok: false, error: 'internal error' }, 500);
  });
  return app;
}
