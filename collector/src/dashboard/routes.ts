import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { AppDeps } from '../deps.js';
import { clientAddress, createRateLimiter } from '../ingest/index.js';
import { dashKeyMatches } from '../ops/index.js';
import { loadDashboardFiles, pickEncoding, resolveDashboardDist, type DashboardFiles } from './assets.js';
import { securityHeaders } from './security.js';
import { mountShareRoutes } from './share-routes.js';
import { SESSION_COOKIE, SESSION_TTL_MS, type SessionStore } from './sessions.js';
import { SHARE_COOKIE, shareAllows, type ShareStore } from './shares.js';

export interface DashboardOptions {
  sessions: SessionStore;
  shares: ShareStore;
  /** The built front end's folder; defaults to `@tally/dashboard`'s `dist/`. */
  dist?: string;
}

/** Ten guesses a minute per client address: enough for typos, useless for guessing a 16+ char key. */
const SIGN_IN_PER_MINUTE = 10;
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * The query API's cookie check (reads only; ops/auth.ts never asks for other methods): a live
 * session reads everything, a share link only the endpoints of its view.
 */
export function dashboardCookieAuth(deps: AppDeps, sessions: SessionStore, shares: ShareStore) {
  return (c: Context) => {
    const now = deps.clock.now();
    if (sessions.valid(getCookie(c, SESSION_COOKIE), now)) return true;
    const link = shares.find(getCookie(c, SHARE_COOKIE), now);
    return link !== undefined && shareAllows(link, c.req.path, c.req.method);
  };
}

const isHttps = (c: Context) => new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto') === 'https';

/**
 * `/dashboard` and everything under it: the page (one HTML for every view, routed in the browser),
 * its hashed assets, and sign-in / sign-out. Every answer carries the strict CSP.
 */
export function dashboardRoutes(deps: AppDeps, options: DashboardOptions): Hono {
  const { sessions, shares } = options;
  const dist = options.dist ?? resolveDashboardDist();
  const limiter = createRateLimiter(SIGN_IN_PER_MINUTE);
  let files: Promise<DashboardFiles | null> | undefined;
  const load = async () => {
    const f = await (files ??= loadDashboardFiles(dist));
    // Not built yet: try again on the next request instead of caching the miss.
    if (f === null) files = undefined;
    return f;
  };
  const app = new Hono();
  app.use('/dashboard', securityHeaders());
  app.use('/dashboard/*', securityHeaders());

  app.get('/dashboard/api/session', (c) => {
    c.header('Cache-Control', 'no-store');
    const now = deps.clock.now();
    const signedIn = sessions.valid(getCookie(c, SESSION_COOKIE), now);
    const link = signedIn ? undefined : shares.find(getCookie(c, SHARE_COOKIE), now);
    return c.json({
      ok: true,
      signed_in: signedIn,
      key_configured: deps.config.dashKey !== undefined,
      share: link ? { view: link.view, query: link.query, expires_at: link.expires_at } : null,
    });
  });

  app.post('/dashboard/api/session', async (c) => {
    c.header('Cache-Control', 'no-store');
    // A JSON body cannot be sent cross-site without a preflight the collector never grants.
    if (!(c.req.header('content-type') ?? '').toLowerCase().startsWith('application/json')) {
      return c.json({ ok: false, error: 'send the key as JSON: {"key":"..."}' }, 415);
    }
    const now = deps.clock.now();
    const decision = limiter.take(clientAddress(c), 1, now);
    if (!decision.ok) {
      c.header('Retry-After', String(decision.retryAfterSeconds));
      return c.json({ ok: false, error: `too many sign-in attempts; try again in ${decision.retryAfterSeconds} s` }, 429);
    }
    if (deps.config.dashKey === undefined) {
      return c.json({ ok: false, error: 'the dashboard is disabled: TALLY_DASH_KEY is not set' }, 401);
    }
    let key: unknown;
    try {
      key = ((await c.req.json()) as { key?: unknown }).key;
    } catch {
      return c.json({ ok: false, error: 'the body is not JSON' }, 400);
    }
    if (typeof key !== 'string' || !dashKeyMatches(key, deps.config.dashKey)) {
      return c.json({ ok: false, error: 'That key is not this collector’s dashboard key.' }, 401);
    }
    setCookie(c, SESSION_COOKIE, sessions.open(now), {
      httpOnly: true,
      sameSite: 'Strict',
      secure: isHttps(c),
      path: '/',
      maxAge: SESSION_TTL_MS / 1000,
    });
    return c.json({ ok: true });
  });

  app.delete('/dashboard/api/session', (c) => {
    c.header('Cache-Control', 'no-store');
    sessions.close(getCookie(c, SESSION_COOKIE));
    deleteCookie(c, SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'Strict', secure: isHttps(c) });
    return c.json({ ok: true });
  });

  mountShareRoutes(app, deps, sessions, shares);

  app.get('/dashboard/assets/:name', async (c) => {
    const f = await load();
    const asset = f?.assets.get(c.req.param('name'));
    if (!asset) return c.json({ ok: false, error: 'no such dashboard asset' }, 404);
    const enc = pickEncoding(c.req.header('accept-encoding'));
    const body = enc === 'br' ? asset.br : enc === 'gzip' ? asset.gzip : asset.raw;
    const headers: Record<string, string> = { 'Content-Type': asset.type, 'Cache-Control': IMMUTABLE, Vary: 'Accept-Encoding' };
    if (enc) headers['Content-Encoding'] = enc;
    return c.body(body, 200, headers);
  });

  const page = async (c: Context) => {
    const f = await load();
    if (!f) {
      return c.json({ ok: false, error: 'the dashboard is not built; run `pnpm build`' }, 503, { 'Retry-After': '60', 'Cache-Control': 'no-store' });
    }
    return c.html(f.html, 200, { 'Cache-Control': 'no-cache' });
  };
  app.get('/dashboard', page);
  app.get('/dashboard/*', (c) => (c.req.path.startsWith('/dashboard/api/') ? c.json({ ok: false, error: `no route for GET ${c.req.path}` }, 404) : page(c)));
  return app;
}
