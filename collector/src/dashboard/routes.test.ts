import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../app.js';
import { makeTestDeps, TEST_DASH_KEY } from '../testing/index.js';
import { DASHBOARD_CSP } from './security.js';
import { createSessionStore, SESSION_COOKIE } from './sessions.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tally-dash-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const make = (over: { dashKey?: string } = {}) => {
  const deps = makeTestDeps({ config: { dataDir: dir, ...over } });
  return { deps, app: createApp(deps) };
};

const signIn = (app: ReturnType<typeof createApp>, key: string, headers: Record<string, string> = {}) =>
  app.request('http://127.0.0.1:8787/dashboard/api/session', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ key }) });

const cookieOf = (res: Response) => /tally_session=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1];

describe('the dashboard page and assets', () => {
  it('serves one page for every view, with the strict CSP, no-cache and no referrer', async () => {
    const { app } = make();
    for (const path of ['/dashboard', '/dashboard/', '/dashboard/realtime', '/dashboard/funnels?steps=a,b']) {
      const res = await app.request(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(res.headers.get('content-security-policy')).toBe(DASHBOARD_CSP);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      const html = await res.text();
      expect(html).toMatch(/<script type="module" src="\/dashboard\/assets\/app\.[0-9a-f]{10}\.js"><\/script>/);
      expect(html).not.toMatch(/<script>(?!<)/); // no inline script
    }
    expect(DASHBOARD_CSP).toContain("default-src 'self'");
    expect(DASHBOARD_CSP).toContain("frame-ancestors 'none'");
    expect(DASHBOARD_CSP).not.toContain('unsafe-inline');
  });

  it('serves hashed assets brotli, gzip or plain by Accept-Encoding, cached for a year', async () => {
    const { app } = make();
    const html = await (await app.request('/dashboard')).text();
    const js = /src="(\/dashboard\/assets\/app\.[0-9a-f]+\.js)"/.exec(html)![1]!;
    const plain = await app.request(js, { headers: { 'accept-encoding': 'identity' } });
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(plain.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(plain.headers.get('vary')).toBe('Accept-Encoding');
    expect(plain.headers.get('content-security-policy')).toBe(DASHBOARD_CSP);
    const raw = Buffer.from(await plain.arrayBuffer());
    const br = await app.request(js, { headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(br.headers.get('content-encoding')).toBe('br');
    expect(brotliDecompressSync(Buffer.from(await br.arrayBuffer())).equals(raw)).toBe(true);
    const gz = await app.request(js, { headers: { 'accept-encoding': 'gzip;q=1, br;q=0' } });
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    expect(gunzipSync(Buffer.from(await gz.arrayBuffer())).equals(raw)).toBe(true);
    expect((await app.request('/dashboard/assets/app.js')).status).toBe(404);
    expect((await app.request('/dashboard/assets/..%2f..%2fpackage.json')).status).toBe(404);
  });
});

describe('sign-in', () => {
  it('sets an HttpOnly, SameSite=Strict session cookie for 7 days that the query API accepts for reads only', async () => {
    const { app, deps } = make();
    const res = await signIn(app, TEST_DASH_KEY);
    expect(res.status).toBe(200);
    const set = res.headers.get('set-cookie')!;
    expect(set).toMatch(/HttpOnly/);
    expect(set).toMatch(/SameSite=Strict/);
    expect(set).toMatch(/Path=\//);
    expect(set).toMatch(/Max-Age=604800/);
    expect(set).not.toMatch(/Secure/);
    expect(set).not.toContain(TEST_DASH_KEY);
    const cookie = `${SESSION_COOKIE}=${cookieOf(res)}`;
    const read = await app.request('/api/analytics/info', { headers: { cookie } });
    expect(read.status).toBe(503); // authenticated; the stand-in rollups answer 503
    expect((await app.request('/api/analytics/info')).status).toBe(401);
    // Erasure changes state: the cookie alone is not enough.
    const erase = await app.request('/api/analytics/users/someone', { method: 'DELETE', headers: { cookie } });
    expect(erase.status).toBe(401);
    const session = await app.request('/dashboard/api/session', { headers: { cookie } });
    expect(await session.json()).toMatchObject({ signed_in: true });
    // The key is never written to the log.
    expect(JSON.stringify(deps.logger.lines)).not.toContain(TEST_DASH_KEY);
  });

  it('marks the cookie Secure when served over HTTPS (directly or behind a proxy)', async () => {
    const { app } = make();
    const direct = await app.request('https://tally.example/dashboard/api/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: TEST_DASH_KEY }) });
    expect(direct.headers.get('set-cookie')).toMatch(/Secure/);
    const proxied = await signIn(app, TEST_DASH_KEY, { 'x-forwarded-proto': 'https' });
    expect(proxied.headers.get('set-cookie')).toMatch(/Secure/);
  });

  it('refuses a wrong key with a clear message and no cookie, a non-JSON body with 415', async () => {
    const { app } = make();
    const res = await signIn(app, 'not-the-key-at-all');
    expect(res.status).toBe(401);
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(((await res.json()) as { error: string }).error).toMatch(/not this collector’s dashboard key/);
    const form = await app.request('/dashboard/api/session', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `key=${TEST_DASH_KEY}` });
    expect(form.status).toBe(415);
    expect(form.headers.get('set-cookie')).toBeNull();
    const bad = await app.request('/dashboard/api/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
    expect(bad.status).toBe(400);
  });

  it('limits sign-in attempts per client address', async () => {
    const { app } = make();
    for (let i = 0; i < 10; i++) expect((await signIn(app, `wrong-${i}`)).status).toBe(401);
    const limited = await signIn(app, TEST_DASH_KEY);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.headers.get('set-cookie')).toBeNull();
  });

  it('signing out revokes the session server-side, not just in this browser', async () => {
    const { app } = make();
    const cookie = `${SESSION_COOKIE}=${cookieOf(await signIn(app, TEST_DASH_KEY))}`;
    const out = await app.request('/dashboard/api/session', { method: 'DELETE', headers: { cookie } });
    expect(out.status).toBe(200);
    expect(out.headers.get('set-cookie')).toMatch(/tally_session=;/);
    expect((await app.request('/api/analytics/info', { headers: { cookie } })).status).toBe(401);
  });

  it('survives a restart, ends after 7 days, and ends when TALLY_DASH_KEY changes', async () => {
    const first = make();
    const token = cookieOf(await signIn(first.app, TEST_DASH_KEY))!;
    const file = await readFile(join(dir, 'dashboard-sessions.json'), 'utf8');
    expect(file).not.toContain(token); // only a hash of it
    const now = first.deps.clock.now();
    expect(createSessionStore(dir, TEST_DASH_KEY).valid(token, now)).toBe(true);
    expect(createSessionStore(dir, TEST_DASH_KEY).valid(token, now + 7 * 86_400_000 + 1)).toBe(false);
    expect(createSessionStore(dir, 'another-key-0123456789').valid(token, now)).toBe(false);
    const rekeyed = make({ dashKey: 'another-key-0123456789' });
    expect((await rekeyed.app.request('/api/analytics/info', { headers: { cookie: `${SESSION_COOKIE}=${token}` } })).status).toBe(401);
  });
});
