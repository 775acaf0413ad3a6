import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';

/**
 * CORS for the ingestion paths from TALLY_ALLOWED_ORIGINS. A `text/plain` beacon needs no preflight,
 * so CORS headers alone would not keep other sites out: a request whose `Origin` is not on the
 * list is refused with 403. Requests without `Origin` (servers, native apps, curl) pass.
 */
export function ingestCors(allowedOrigins: string[]): MiddlewareHandler {
  const any = allowedOrigins.includes('*');
  const allowed = new Set(allowedOrigins);
  const headers = cors({
    origin: any ? '*' : (origin) => (allowed.has(origin) ? origin : null),
    allowMethods: ['POST', 'OPTIONS'],
    allowHeaders: ['Content-Type', 'Content-Encoding'],
    exposeHeaders: ['Retry-After'],
    maxAge: 86400,
  });
  return async (c, next) => {
    const origin = c.req.header('origin');
    if (!any && origin !== undefined && !allowed.has(origin)) {
      return c.json({ ok: false, error: 'origin not allowed' }, 403);
    }
    if (c.req.method === 'OPTIONS') return headers(c, next);
    // The same headers hono's cors() sets on a simple request, but through c.header() before the
    // handler runs: cors() touches c.res first, which makes hono build a placeholder Response and
    // then copy the handler's Response into a new one — ~3 % of ingestion CPU, per request.
    const allowOrigin = any ? '*' : origin !== undefined && allowed.has(origin) ? origin : undefined;
    if (allowOrigin !== undefined) c.header('Access-Control-Allow-Origin', allowOrigin);
    c.header('Access-Control-Expose-Headers', 'Retry-After');
    if (!any) c.header('Vary', 'Origin', { append: true });
    await next();
  };
}
