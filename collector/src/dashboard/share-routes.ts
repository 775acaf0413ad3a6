import type { Context, Hono } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import type { AppDeps } from '../deps.js';
import { dashKeyMatches } from '../ops/index.js';
import { SESSION_COOKIE, type SessionStore } from './sessions.js';
import { SHARE_COOKIE, SHARE_VIEWS, type ShareStore, type ShareView } from './shares.js';

const MAX_QUERY = 2000;
const YEAR_S = 365 * 86_400;

/**
 * Who may manage share links: the `X-Dash-Key` header, or a signed-in session whose request comes
 * from this origin (`Origin` equal to ours), so another site cannot make a signed-in browser act.
 * A share link's own cookie never qualifies.
 */
function isAdmin(c: Context, deps: AppDeps, sessions: SessionStore): boolean {
  const key = c.req.header('x-dash-key');
  if (key !== undefined && key !== '') return dashKeyMatches(key, deps.config.dashKey);
  if (!sessions.valid(getCookie(c, SESSION_COOKIE), deps.clock.now())) return false;
  if (c.req.method === 'GET') return true;
  return c.req.header('origin') === new URL(c.req.url).origin;
}

/** `/dashboard/api/shares` (create, list, revoke) and `/dashboard/s/:token` (redeem). */
export function mountShareRoutes(app: Hono, deps: AppDeps, sessions: SessionStore, shares: ShareStore): void {
  const denied = (c: Context) => c.json({ ok: false, error: 'managing share links needs the X-Dash-Key header or a signed-in session on this origin' }, 403);

  app.post('/dashboard/api/shares', async (c) => {
    if (!isAdmin(c, deps, sessions)) return denied(c);
    if (!(c.req.header('content-type') ?? '').toLowerCase().startsWith('application/json')) {
      return c.json({ ok: false, error: 'send JSON: {"view":"overview","query":"range=30d","expires_days":30}' }, 415);
    }
    let body: { view?: unknown; query?: unknown; expires_days?: unknown };
    try {
      body = (await c.req.json()) as typeof body;
    } catch {
      return c.json({ ok: false, error: 'the body is not JSON' }, 400);
    }
    const view = body.view ?? 'overview';
    if (typeof view !== 'string' || !(SHARE_VIEWS as readonly string[]).includes(view)) {
      return c.json({ ok: false, error: `view must be one of ${SHARE_VIEWS.join(', ')}` }, 400);
    }
    const query = body.query ?? '';
    if (typeof query !== 'string' || query.length > MAX_QUERY || query.startsWith('?')) {
      return c.json({ ok: false, error: `query must be a query string without "?", at most ${MAX_QUERY} characters` }, 400);
    }
    const days = body.expires_days;
    if (days !== undefined && days !== null && (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > 3650)) {
      return c.json({ ok: false, error: 'expires_days must be a whole number from 1 to 3650, or null for no expiry' }, 400);
    }
    const now = deps.clock.now();
    const expires = typeof days === 'number' ? now + days * 86_400_000 : null;
    const { token, link } = shares.create(view as ShareView, new URLSearchParams(query).toString(), expires, now);
    const origin = new URL(c.req.url).origin;
    c.header('Cache-Control', 'no-store');
    return c.json({ ok: true, url: `${origin}/dashboard/s/${token}`, link }, 201);
  });

  app.get('/dashboard/api/shares', (c) => {
    if (!isAdmin(c, deps, sessions)) return denied(c);
    c.header('Cache-Control', 'no-store');
    return c.json({ ok: true, links: shares.list() });
  });

  app.delete('/dashboard/api/shares/:id', (c) => {
    if (!isAdmin(c, deps, sessions)) return denied(c);
    if (!shares.revoke(c.req.param('id'), deps.clock.now())) return c.json({ ok: false, error: 'no share link with that id' }, 404);
    return c.json({ ok: true });
  });

  // The token is traded for a cookie and the browser sent on, so it leaves the address bar (and
  // with `Referrer-Policy: no-referrer` it never left the origin anyway).
  app.get('/dashboard/s/:token', (c) => {
    const now = deps.clock.now();
    const token = c.req.param('token');
    const link = shares.find(token, now);
    if (!link) return c.json({ ok: false, error: 'this share link is unknown, expired or revoked' }, 404);
    const maxAge = link.expires_at === null ? YEAR_S : Math.max(1, Math.floor((Date.parse(link.expires_at) - now) / 1000));
    setCookie(c, SHARE_COOKIE, token, {
      httpOnly: true,
      // Lax: the first request after the redirect is a cross-site navigation when the link was
      // clicked elsewhere; the cookie only ever grants reads.
      sameSite: 'Lax',
      secure: new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto') === 'https',
      path: '/',
      maxAge: Math.min(maxAge, YEAR_S),
    });
    c.header('Cache-Control', 'no-store');
    return c.redirect(`/dashboard${link.view === 'overview' ? '' : `/${link.view}`}${link.query ? `?${link.query}` : ''}`, 302);
  });
}
