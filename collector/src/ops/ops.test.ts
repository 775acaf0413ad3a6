import { describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import { createApp } from '../app.js';
import type { Config } from '../config/config.js';
import { makeTestDeps, TEST_DASH_KEY } from '../testing/index.js';
import { dashKeyAuth } from './auth.js';
import { createLogger } from './logger.js';
import { createRegistry } from './registry.js';

function appWithQueryRoute(config: Partial<Config> = {}) {
  const deps = makeTestDeps({ config });
  const app = createApp(deps);
  // Stand-ins for query endpoints (they come with the metrics issue), behind createApp's auth.
  app.get('/api/analytics/x', (c) => c.json({ ok: true, secret: 42 }));
  app.get('/api/analytics/event', (c) => c.json({ ok: true, secret: 43 }));
  return { deps, app };
}

describe('GET /healthz', () => {
  it('is 200 while the log is writable and 503 when not', async () => {
    const { deps, app } = appWithQueryRoute();
    const ok = await app.request('/healthz');
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ ok: true });
    deps.log.setFailing(true);
    const down = await app.request('/healthz');
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ ok: false, error: 'event log is not writable' });
  });
});

describe('X-Dash-Key on /api/analytics/*', () => {
  it.each([
    ['no key', {}, 'missing X-Dash-Key header'],
    ['an empty key', { 'x-dash-key': '' }, 'missing X-Dash-Key header'],
    ['a wrong key', { 'x-dash-key': 'nope' }, 'wrong X-Dash-Key'],
    ['the key with a suffix', { 'x-dash-key': TEST_DASH_KEY + 'x' }, 'wrong X-Dash-Key'],
    ['a prefix of the key', { 'x-dash-key': TEST_DASH_KEY.slice(0, -1) }, 'wrong X-Dash-Key'],
  ])('refuses %s with 401', async (_n, headers, error) => {
    const { app } = appWithQueryRoute();
    const res = await app.request('/api/analytics/x', { headers });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ ok: false, error });
  });

  it('lets the right key through', async () => {
    // createApp's own auth passes the request on (no query route exists yet, so nothing answers 200)...
    const { app } = appWithQueryRoute();
    const passed = await app.request('/api/analytics/x', { headers: { 'X-Dash-Key': TEST_DASH_KEY } });
    expect(passed.status).not.toBe(401);
    // ...and a route behind the same middleware answers.
    const standalone = new Hono();
    standalone.use('/api/analytics/*', dashKeyAuth(TEST_DASH_KEY));
    standalone.get('/api/analytics/x', (c) => c.json({ ok: true, secret: 42 }));
    const res = await standalone.request('/api/analytics/x', { headers: { 'X-Dash-Key': TEST_DASH_KEY } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, secret: 42 });
  });

  it('refuses everyone when no key is configured', async () => {
    const { app } = appWithQueryRoute({ dashKey: undefined });
    const res = await app.request('/api/analytics/x', { headers: { 'X-Dash-Key': TEST_DASH_KEY } });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ ok: false, error: 'the query API is disabled: TALLY_DASH_KEY is not set' });
  });

  it('exempts only POST and OPTIONS of the ingestion alias', async () => {
    const { app } = appWithQueryRoute();
    const posted = await app.request('/api/analytics/event', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ events: [] }),
    });
    expect(posted.status).toBe(200);
    expect((await app.request('/api/analytics/event', { method: 'OPTIONS', headers: { origin: 'https://a.example', 'access-control-request-method': 'POST' } })).status).toBe(204);
    expect((await app.request('/api/analytics/event')).status).toBe(401);
    expect((await app.request('/api/analytics/event/')).status).toBe(401);
  });

  it('the middleware works on its own', async () => {
    const app = new Hono();
    app.use('/api/analytics/*', dashKeyAuth('k'.repeat(16)));
    app.get('/api/analytics/y', (c) => c.text('in'));
    expect((await app.request('/api/analytics/y')).status).toBe(401);
    expect(await (await app.request('/api/analytics/y', { headers: { 'x-dash-key': 'k'.repeat(16) } })).text()).toBe('in');
  });
});

describe('GET /metrics', () => {
  it('exposes the ingestion counters, latency histograms and disk free bytes', async () => {
    const { deps, app } = appWithQueryRoute();
    const post = (body: unknown, headers: Record<string, string> = {}) =>
      app.request('/v1/events', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    const e = (id: string, ts = '2026-11-20T11:00:00Z') => ({ event_id: id, event_type: 'action', ts });
    await post({ dropped: 2, events: [e('a'), e('b'), e('c', '2020-01-01T00:00:00Z'), { event_type: 'X', ts: '2026-11-20T11:00:00Z' }] });
    await post({ events: [e('a')] });
    await post({ events: [e('z')] }, { 'user-agent': 'curl/8.0.1' });
    await app.request('/no/such/path');
    deps.metrics.observeFsync(0.003);

    const res = await app.request('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await res.text();
    const lines = text.split('\n');
    expect(lines).toContain('# TYPE tally_events_accepted_total counter');
    expect(lines).toContain('tally_events_accepted_total 2');
    expect(lines).toContain('tally_events_rejected_total{reason="too_old"} 1');
    expect(lines).toContain('tally_events_rejected_total{reason="invalid_event_type"} 1');
    expect(lines).toContain('tally_events_rejected_total{reason="metadata_too_deep"} 0');
    expect(lines).toContain('tally_events_duplicate_total 1');
    expect(lines).toContain('tally_events_bot_total 1');
    expect(lines).toContain('tally_events_dropped_reported_total 2');
    expect(lines).toContain('# TYPE tally_http_request_duration_seconds histogram');
    expect(lines).toContain('tally_http_request_duration_seconds_count{route="/v1/events"} 3');
    expect(lines).toContain('tally_http_request_duration_seconds_count{route="unmatched"} 1');
    expect(text).not.toContain('/no/such/path');
    expect(lines).toContain('tally_http_responses_total{route="/v1/events",code="200"} 3');
    expect(lines).toContain('tally_http_responses_total{route="unmatched",code="404"} 1');
    expect(lines).toContain('tally_fsync_duration_seconds_bucket{le="0.0025"} 0');
    expect(lines).toContain('tally_fsync_duration_seconds_bucket{le="0.005"} 1');
    expect(lines).toContain('tally_fsync_duration_seconds_count 1');
    const disk = lines.find((l) => l.startsWith('tally_disk_free_bytes '));
    expect(Number(disk?.split(' ')[1])).toBeGreaterThan(0);
  });

  it('exposes what /healthz answers and since when a closed log day waits for its rollup', async () => {
    const deps = makeTestDeps();
    const day = (d: string) => ({ event_id: d, event_type: 'action', ts: `${d}T10:00:00Z`, time: `${d}T10:00:00Z`, received_at: `${d}T10:00:00.000Z` });
    await deps.log.append([day('2026-11-17'), day('2026-11-18'), day('2026-11-19'), day('2026-11-20')] as never);
    const rolled = new Set(['2026-11-17']);
    const app = createApp({ ...deps, rollups: { ...deps.rollups, isRolledUp: (d: string) => rolled.has(d) } });
    const scrape = async () => (await (await app.request('/metrics')).text()).split('\n');
    // Now is 2026-11-20: 11-18 closed at 11-19 00:00 UTC and waits; 11-20 is still open.
    expect(await scrape()).toContain(`tally_rollup_pending_since_timestamp_seconds ${Date.parse('2026-11-19T00:00:00Z') / 1000}`);
    expect(await scrape()).toContain('tally_log_writable 1');
    rolled.add('2026-11-18').add('2026-11-19');
    expect(await scrape()).toContain('tally_rollup_pending_since_timestamp_seconds 0');
    deps.log.setFailing(true);
    await app.request('/v1/events', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ events: [{ event_type: 'action', ts: '2026-11-20T11:00:00Z' }] }) });
    expect((await app.request('/healthz')).status).toBe(503);
    expect(await scrape()).toContain('tally_log_writable 0');
  });

  it('leaves out disk free bytes when the data dir does not exist', async () => {
    const deps = makeTestDeps({ config: { dataDir: '/nonexistent/tally-data' } });
    const text = await (await createApp(deps).request('/metrics')).text();
    expect(text).toContain('# TYPE tally_disk_free_bytes gauge');
    expect(text).not.toMatch(/^tally_disk_free_bytes /m);
  });
});

describe('registry', () => {
  it('renders cumulative buckets, escapes label values and ignores negative increments', () => {
    const r = createRegistry();
    const c = r.counter('c_total', 'a "counter"\nwith newline', []);
    c.inc(2, { path: 'a"b\\c\nd' });
    c.inc(-5, { path: 'a"b\\c\nd' });
    c.inc(Number.NaN, { path: 'a"b\\c\nd' });
    const h = r.histogram('h_seconds', 'h', [1, 0.1]);
    h.observe(0.05);
    h.observe(0.5);
    h.observe(5);
    expect(r.render()).toBe(
      [
        '# HELP c_total a "counter"\\nwith newline',
        '# TYPE c_total counter',
        'c_total{path="a\\"b\\\\c\\nd"} 2',
        '# HELP h_seconds h',
        '# TYPE h_seconds histogram',
        'h_seconds_bucket{le="0.1"} 1',
        'h_seconds_bucket{le="1"} 2',
        'h_seconds_bucket{le="+Inf"} 3',
        'h_seconds_sum 5.55',
        'h_seconds_count 3',
        '',
      ].join('\n'),
    );
  });
});

describe('logger', () => {
  it('writes one JSON line per call at or above its level', () => {
    const out: string[] = [];
    const log = createLogger('warn', (l) => out.push(l));
    log.info('hidden');
    log.warn('disk slow', { ms: 12, note: 'a\nb' });
    log.error('boom', { error: new Error('bad'), ...(JSON.parse('{"__proto__":{"polluted":1}}') as object) });
    expect(out).toHaveLength(2);
    for (const l of out) expect(l.endsWith('\n') && l.indexOf('\n') === l.length - 1).toBe(true);
    expect(JSON.parse(out[0]!)).toMatchObject({ level: 'warn', msg: 'disk slow', ms: 12, note: 'a\nb' });
    expect(JSON.parse(out[1]!)).toMatchObject({ level: 'error', msg: 'boom', error: { name: 'Error', message: 'bad' } });
    expect(JSON.parse(out[1]!).time).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(out[1]).toContain('"__proto__":{"polluted":1}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('is silent at "silent" and survives fields it cannot serialize', () => {
    const out: string[] = [];
    createLogger('silent', (l) => out.push(l)).error('x');
    expect(out).toEqual([]);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    createLogger('info', (l) => out.push(l)).info('cyclic', { cyclic, n: 10n });
    expect(JSON.parse(out[0]!)).toMatchObject({ level: 'info', msg: 'cyclic', fields: '[unserializable]' });
  });
});
