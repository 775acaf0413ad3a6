import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../app.js';
import { makeTestDeps, TEST_DASH_KEY } from '../testing/index.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tally-share-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const ORIGIN = 'http://127.0.0.1:8787';
function make() {
  const deps = makeTestDeps({ config: { dataDir: dir } });
  const app = createApp(deps);
  const create = (body: object, headers: Record<string, string> = { 'x-dash-key': TEST_DASH_KEY }) =>
    app.request(`${ORIGIN}/dashboard/api/shares`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { deps, app, create };
}
const cookie = (res: Response, name: string) => `${name}=${new RegExp(`${name}=([^;]+)`).exec(res.headers.get('set-cookie') ?? '')![1]}`;

describe('share links', () => {
  it('grant GET on their view’s query endpoints only, never erasure, export or other share links', async () => {
    const { app, create } = make();
    const res = await create({ view: 'overview', query: 'range=7d&platform=web' });
    expect(res.status).toBe(201);
    const { url, link } = (await res.json()) as { url: string; link: { id: string; view: string; query: string; expires_at: null } };
    expect(url).toMatch(new RegExp(`^${ORIGIN}/dashboard/s/[A-Za-z0-9_-]{22}$`)); // 128 bits
    expect(link).toMatchObject({ view: 'overview', query: 'range=7d&platform=web', expires_at: null });
    const token = url.split('/').at(-1)!;
    expect(await readFile(join(dir, 'dashboard-shares.json'), 'utf8')).not.toContain(token);

    const redeem = await app.request(url);
    expect(redeem.status).toBe(302);
    expect(redeem.headers.get('location')).toBe('/dashboard?range=7d&platform=web');
    expect(redeem.headers.get('set-cookie')).toMatch(/HttpOnly/);
    expect(redeem.headers.get('content-security-policy')).toContain("default-src 'self'");
    const c = cookie(redeem, 'tally_share');

    const get = (path: string, init: RequestInit = {}) => app.request(`${ORIGIN}${path}`, { ...init, headers: { cookie: c, origin: ORIGIN, ...(init.headers as object) } });
    // Allowed: the overview's endpoints (the stand-in rollups answer 503, past auth).
    for (const p of ['/api/analytics/usage', '/api/analytics/breakdown?by=app', '/api/analytics/breakdowns?by=app,url', '/api/analytics/timeseries', '/api/analytics/info']) expect((await get(p)).status, p).toBe(503);
    // Not this view's, or not a read.
    for (const p of ['/api/analytics/retention', '/api/analytics/funnel', '/api/analytics/completeness', '/api/analytics/realtime', '/api/analytics/users/u1/export']) expect((await get(p)).status, p).toBe(401);
    expect((await get('/api/analytics/users/u1', { method: 'DELETE' })).status).toBe(401);
    expect((await get('/dashboard/api/shares')).status).toBe(403);
    expect((await get('/dashboard/api/shares', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(403);
    expect((await get(`/dashboard/api/shares/${link.id}`, { method: 'DELETE' })).status).toBe(403);
    const session = (await (await get('/dashboard/api/session')).json()) as { signed_in: boolean; share: { view: string } };
    expect(session).toMatchObject({ signed_in: false, share: { view: 'overview' } });
  });

  it('are listed without tokens, revocable, and end at their expiry', async () => {
    const { app, create, deps } = make();
    const a = (await (await create({ view: 'retention', expires_days: 1 })).json()) as { url: string; link: { id: string } };
    const b = (await (await create({ view: 'realtime' })).json()) as { url: string; link: { id: string } };
    const list = (await (await app.request('/dashboard/api/shares', { headers: { 'x-dash-key': TEST_DASH_KEY } })).json()) as { links: object[] };
    expect(list.links).toHaveLength(2);
    expect(JSON.stringify(list)).not.toContain(a.url.split('/').at(-1)!);

    const ca = cookie(await app.request(a.url), 'tally_share');
    expect((await app.request('/api/analytics/retention', { headers: { cookie: ca } })).status).toBe(503);
    deps.clock.advance(86_400_000 + 1);
    expect((await app.request('/api/analytics/retention', { headers: { cookie: ca } })).status).toBe(401);
    expect((await app.request(a.url)).status).toBe(404);

    const cb = cookie(await app.request(b.url), 'tally_share');
    expect((await app.request('/api/analytics/realtime', { headers: { cookie: cb } })).status).toBe(200);
    const revoke = await app.request(`/dashboard/api/shares/${b.link.id}`, { method: 'DELETE', headers: { 'x-dash-key': TEST_DASH_KEY } });
    expect(revoke.status).toBe(200);
    expect((await app.request('/api/analytics/realtime', { headers: { cookie: cb } })).status).toBe(401);
    expect((await app.request(b.url)).status).toBe(404);
    // And a restart keeps the revocation.
    const again = createApp(makeTestDeps({ config: { dataDir: dir } }));
    expect((await again.request(b.url)).status).toBe(404);
  });

  it('a signed-in session may manage them from this origin only; bad input gets a clear 400', async () => {
    const { app, create } = make();
    const signIn = await app.request(`${ORIGIN}/dashboard/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: TEST_DASH_KEY }) });
    const s = cookie(signIn, 'tally_session');
    expect((await create({ view: 'overview' }, { cookie: s, origin: 'https://evil.example' })).status).toBe(403);
    expect((await create({ view: 'overview' }, { cookie: s })).status).toBe(403);
    expect((await create({ view: 'overview' }, { cookie: s, origin: ORIGIN })).status).toBe(201);
    expect((await create({ view: 'overview' }, { 'x-dash-key': 'wrong-key-0123456789' })).status).toBe(403);
    for (const body of [{ view: 'users' }, { query: '?a=1' }, { expires_days: 0 }, { expires_days: 1.5 }, { query: 'x'.repeat(2001) }]) {
      const res = await create(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(((await res.json()) as { error: string }).error).toBeTruthy();
    }
    expect((await app.request('/dashboard/s/not-a-token')).status).toBe(404);
  });
});
