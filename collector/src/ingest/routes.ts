import { Hono } from 'hono';
import type { AppDeps } from '../deps.js';
import { ingestCors } from './cors.js';
import { ingestHandler } from './handler.js';

export const INGEST_PATH = '/v1/events';
/** The EchoPilot-compatible alias: under the query prefix, yet public (browsers post to it); ops/auth.ts lets it through. */
export const INGEST_ALIAS_PATH = '/api/analytics/event';

/** `POST /v1/events` and the EchoPilot-compatible alias `POST /api/analytics/event`: one handler. */
export function ingestRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  const corsMw = ingestCors(deps.config.allowedOrigins);
  const handler = ingestHandler(deps);
  for (const path of [INGEST_PATH, INGEST_ALIAS_PATH]) {
    app.use(path, corsMw);
    app.post(path, handler);
  }
  return app;
}
