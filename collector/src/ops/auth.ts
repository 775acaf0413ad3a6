import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';

/** The ingestion alias lives under the query prefix but is public (browsers post to it). */
export const INGEST_ALIAS_PATH = '/api/analytics/event';

/**
 * Guards every `/api/analytics/*` route except `POST`/`OPTIONS` on the ingestion alias: the request
 * must carry `X-Dash-Key` equal to the configured key. Both sides are hashed to SHA-256 first so the
 * comparison takes the same time whatever the key's length or content. No key configured: every
 * query is refused.
 */
export function dashKeyAuth(dashKey: string | undefined): MiddlewareHandler {
  const expected = dashKey === undefined ? undefined : digest(dashKey);
  return async (c, next) => {
    const m = c.req.method;
    if (c.req.path === INGEST_ALIAS_PATH && (m === 'POST' || m === 'OPTIONS')) return next();
    if (expected === undefined) {
      return c.json({ ok: false, error: 'the query API is disabled: TALLY_DASH_KEY is not set' }, 401);
    }
    const given = c.req.header('x-dash-key');
    if (given === undefined || given === '') {
      return c.json({ ok: false, error: 'missing X-Dash-Key header' }, 401);
    }
    if (!timingSafeEqual(digest(given), expected)) {
      return c.json({ ok: false, error: 'wrong X-Dash-Key' }, 401);
    }
    return next();
  };
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}
