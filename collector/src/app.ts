import { Hono } from 'hono';
import { isStorageFault, type AppDeps } from './deps.js';
import { createStorageHealth, dashKeyAuth, opsRoutes, requestTiming, STORAGE_RETRY_AFTER_SECONDS } from './ops/index.js';
import { INGEST_ALIAS_PATH, ingestRoutes } from './ingest/index.js';
import { queryRoutes } from './query/index.js';
import { privacyRoutes } from './privacy/index.js';
import { staticRoutes } from './site/index.js';
import { createSessionStore, createShareStore, dashboardCookieAuth, dashboardRoutes } from './dashboard/index.js';

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
  const sessions = createSessionStore(deps.config.dataDir, deps.config.dashKey);
  const shares = createShareStore(deps.config.dataDir);
  app.use('/api/analytics/*', dashKeyAuth(deps.config.dashKey, dashboardCookieAuth(deps, sessions, shares), INGEST_ALIAS_PATH));
  app.route('/', opsRoutes(deps));
  app.route('/', ingestRoutes(deps));
  app.route('/', queryRoutes(deps));
  app.route('/', privacyRoutes(deps));
  app.route('/', dashboardRoutes(deps, { sessions, shares }));
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
