import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';

/**
 * Constant-time check of a presented key: both sides are hashed to SHA-256 first so the comparison
 * takes the same time whatever the key's length or content.
 */
export function dashKeyMatches(given: string | undefined, dashKey: string | undefined): boolean {
  if (dashKey === undefined || given === undefined || given === '') return false;
  return timingSafeEqual(digest(given), digest(dashKey));
}

/** Lets a signed-in dashboard read (`GET`/`HEAD` only); anything that changes state needs the header. */
export type CookieAuth = (c: Context) => boolean;

/**
 * Guards every `/api/analytics/*` route except `POST`/`OPTIONS` on `ingestAlias` (the ingestion alias,
 * which the composition root names: ops does not know ingest's paths): the request must carry
 * `X-Dash-Key` equal to the configured key, or (for reads) a dashboard session cookie.
 * No key configured: every query is refused.
 */
export function dashKeyAuth(dashKey: string | undefined, cookieAuth?: CookieAuth, ingestAlias?: string): MiddlewareHandler {
  const expected = dashKey === undefined ? undefined : digest(dashKey);
  return async (c, next) => {
    const m = c.req.method;
    if (c.req.path === ingestAlias && (m === 'POST' || m === 'OPTIONS')) return next();
    if (expected === undefined) {
      return c.json({ ok: false, error: 'the query API is disabled: TALLY_DASH_KEY is not set' }, 401);
    }
    const given = c.req.header('x-dash-key');
    if (given === undefined || given === '') {
      if ((m === 'GET' || m === 'HEAD') && cookieAuth?.(c)) return next();
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
