import { describe, expect, it } from 'vitest';
import { createApp } from '../app.js';
import type { IngestResponse } from '@tally/protocol';
import type { Config } from '../config/config.js';
import { makeTestDeps } from '../testing/index.js';
import { ev, gzip, post } from '../testing/ingest.js';

const CHROME_MAC =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
const GOOGLEBOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';

function setup(config: Partial<Config> = {}) {
  const deps = makeTestDeps({ config });
  return { deps, app: createApp(deps) };
}

describe('POST /v1/events and /api/analytics/event', () => {
  it('accepts the EchoPilot body on the alias path', async () => {
    const { deps, app } = setup();
    const body = {
      events: [
        { event_type: 'page_view', user_id: 'user123', feature: 'dashboard', metadata: { tab: 'home' }, ts: '2026-11-20T11:58:00.000Z', url: '/dashboard' },
      ],
    };
    const res = await post(app, body, { path: '/api/analytics/event' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, logged: 1, duplicates: 0, rejected: [] });
    const [stored] = deps.log.events;
    expect(stored).toMatchObject({ ...body.events[0], time: '2026-11-20T11:58:00.000Z', received_at: '2026-11-20T12:00:00.000Z' });
    expect(stored!.event_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('stores the same thing under both paths and keeps a client event_id', async () => {
    const { deps, app } = setup();
    await post(app, { events: [ev({ event_id: 'a1' })] });
    await post(app, { events: [ev({ event_id: 'a2' })] }, { path: '/api/analytics/event' });
    const [a, b] = deps.log.events;
    expect(a!.event_id).toBe('a1');
    expect(b!.event_id).toBe('a2');
    expect({ ...a, event_id: '' }).toEqual({ ...b, event_id: '' });
  });

  it('accepts text/plain with any charset (sendBeacon), a BOM, and gzip', async () => {
    const { deps, app } = setup();
    const body = JSON.stringify({ events: [ev()] });
    const answers = await Promise.all([
      post(app, body, { headers: { 'content-type': 'text/plain;charset=UTF-8' } }),
      post(app, body, { headers: { 'content-type': 'Application/JSON; charset=iso-8859-1' } }),
      post(app, '\uFEFF' + body),
      post(app, gzip(body), { headers: { 'content-encoding': 'gzip' } }),
      post(app, gzip(body), { headers: { 'content-type': 'text/plain', 'content-encoding': 'GZIP' } }),
    ]);
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(deps.log.events).toHaveLength(5);
  });

  it('accepts a body of exactly the decoded limit, gzipped', async () => {
    const { deps, app } = setup({ maxBodyBytes: 4096 });
    const head = JSON.stringify({ events: [ev()], pad: '' });
    const exact = head.replace('"pad":""', `"pad":"${'x'.repeat(4096 - head.length)}"`);
    expect(Buffer.byteLength(exact)).toBe(4096);
    expect((await post(app, gzip(exact), { headers: { 'content-encoding': 'gzip' } })).status).toBe(200);
    expect((await post(app, exact)).status).toBe(200);
    const over = exact.replace('"pad":"', '"pad":"x');
    expect((await post(app, gzip(over), { headers: { 'content-encoding': 'gzip' } })).status).toBe(413);
    expect((await post(app, over)).status).toBe(413);
    expect(deps.log.events).toHaveLength(2);
  });

  it('accepts exactly TALLY_MAX_BATCH events', async () => {
    const { deps, app } = setup({ maxBatch: 3 });
    expect((await post(app, { events: [ev(), ev(), ev()] })).status).toBe(200);
    const res = await post(app, { events: [ev(), ev(), ev(), ev()] });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ ok: false, error: 'too many events: 4 in one batch, at most 3; split the batch' });
    expect(deps.log.events).toHaveLength(3);
  });

  it('an empty batch is fine and counts nothing', async () => {
    const { deps, app } = setup();
    const res = await post(app, { events: [] });
    expect(await res.json()).toEqual({ ok: true, logged: 0, duplicates: 0, rejected: [] });
    expect(deps.log.appendCalls).toBe(0);
    expect(deps.ledger.tallies).toEqual([]);
  });
});

describe('time', () => {
  it('corrects clock skew by received_at − sent_at and keeps the client ts', async () => {
    const { deps, app } = setup();
    // The client's clock is 1 h 0 min 5 s behind the collector's (12:00:00).
    await post(app, { sent_at: '2026-11-20T10:59:55.000Z', events: [ev({ ts: '2026-11-20T10:59:30.000Z' })] });
    // ...and this one is 2 h ahead, with an offset in its timestamps.
    await post(app, { sent_at: '2026-11-20T16:00:00+02:00', events: [ev({ ts: '2026-11-20T15:58:30.250+02:00' })] });
    expect(deps.log.events.map((e) => [e.ts, e.time])).toEqual([
      ['2026-11-20T10:59:30.000Z', '2026-11-20T11:59:35.000Z'],
      ['2026-11-20T15:58:30.250+02:00', '2026-11-20T11:58:30.250Z'],
    ]);
  });

  it('clamps more than 10 minutes in the future to received_at and flags it', async () => {
    const { deps, app } = setup();
    const res = await post(app, {
      events: [ev({ ts: '2026-11-20T12:10:00.000Z' }), ev({ ts: '2026-11-20T12:10:00.001Z' }), ev({ ts: '2030-01-01T00:00:00Z' })],
    });
    expect(((await res.json()) as IngestResponse).logged).toBe(3);
    expect(deps.log.events.map((e) => [e.time, e.clamped])).toEqual([
      ['2026-11-20T12:10:00.000Z', undefined],
      ['2026-11-20T12:00:00.000Z', true],
      ['2026-11-20T12:00:00.000Z', true],
    ]);
    expect(deps.log.events[2]!.ts).toBe('2030-01-01T00:00:00Z');
  });

  it('rejects as too_old what is more than 365 days old after correction', async () => {
    const { deps, app } = setup();
    const res = await post(app, {
      events: [ev({ ts: '2025-11-20T12:00:00.000Z' }), ev({ ts: '2025-11-20T11:59:59.999Z' })],
    });
    expect(await res.json()).toEqual({ ok: true, logged: 1, duplicates: 0, rejected: [{ index: 1, reason: 'too_old' }] });
    // 360 days old by the client's clock, but the client runs 10 days fast: 370 days old.
    const skewed = await post(app, { sent_at: '2026-11-30T12:00:00Z', events: [ev({ ts: '2025-11-25T12:00:00Z' })] });
    expect(((await skewed.json()) as IngestResponse).rejected).toEqual([{ index: 0, reason: 'too_old' }]);
    expect(deps.ledger.tallies.map((t) => t.rejected)).toEqual([{ too_old: 1 }, { too_old: 1 }]);
  });
});

describe('what is stored', () => {
  it('puts the batch app on each event and fills browser/os/device_type the event left empty', async () => {
    const { deps, app } = setup();
    await post(
      app,
      { app: 'shop', events: [ev(), ev({ context: { browser: 'Own', locale: 'de-DE' } })] },
      { headers: { 'user-agent': CHROME_MAC }, address: '203.0.113.9' },
    );
    const [a, b] = deps.log.events;
    expect(a).toMatchObject({ app: 'shop', context: { browser: 'Chrome', os: 'macOS', device_type: 'desktop' } });
    expect(b!.context).toEqual({ browser: 'Own', locale: 'de-DE', os: 'macOS', device_type: 'desktop' });
    expect(JSON.stringify(deps.log.events)).not.toContain('203.0.113');
  });

  it('stores no app field and tallies under "default" when the batch names none', async () => {
    const { deps, app } = setup();
    await post(app, { events: [ev()] });
    await post(app, { app: '', events: [ev()] });
    expect(deps.log.events[0]).not.toHaveProperty('app');
    expect(deps.log.events[1]).not.toHaveProperty('app');
    const tally = { day: '2026-11-20', app: 'default', accepted: 1, duplicates: 0, rejected: {}, dropped: 0, bots: 0 };
    expect(deps.ledger.tallies).toEqual([tally, tally]);
  });

  it('drops unknown fields of an event', async () => {
    const { deps, app } = setup();
    await post(app, { events: [ev({ ip: '198.51.100.1', extra: { a: 1 } })] });
    expect(deps.log.events[0]).not.toHaveProperty('ip');
    expect(deps.log.events[0]).not.toHaveProperty('extra');
  });
});

describe('counting', () => {
  it('counts duplicates, and a replayed batch does not count its dropped or rejections twice', async () => {
    const { deps, app } = setup();
    const batch = { app: 'shop', dropped: 4, events: [ev({ event_id: 'x1' }), ev({ event_id: 'x2' }), ev({ event_type: 'Bad' })] };
    const first = await post(app, batch);
    expect(await first.json()).toEqual({ ok: true, logged: 2, duplicates: 0, rejected: [{ index: 2, reason: 'invalid_event_type' }] });
    const again = await post(app, batch);
    expect(await again.json()).toEqual({ ok: true, logged: 0, duplicates: 2, rejected: [{ index: 2, reason: 'invalid_event_type' }] });
    expect(deps.log.events).toHaveLength(2);
    expect(deps.ledger.tallies).toEqual([
      { day: '2026-11-20', app: 'shop', accepted: 2, duplicates: 0, rejected: { invalid_event_type: 1 }, dropped: 4, bots: 0 },
      { day: '2026-11-20', app: 'shop', accepted: 0, duplicates: 2, rejected: {}, dropped: 0, bots: 0 },
    ]);
  });

  it('records dropped even when the batch has no events', async () => {
    const { deps, app } = setup();
    await post(app, { app: 'shop', dropped: 7, events: [] });
    expect(deps.ledger.tallies).toEqual([
      { day: '2026-11-20', app: 'shop', accepted: 0, duplicates: 0, rejected: {}, dropped: 7, bots: 0 },
    ]);
  });

  it('tallies under the UTC day of receipt', async () => {
    const { deps, app } = setup();
    deps.clock.set('2026-11-20T23:59:59.999Z');
    await post(app, { events: [ev({ ts: '2026-11-20T23:59:00Z' })] });
    deps.clock.set('2026-11-21T00:00:00.000Z');
    await post(app, { events: [ev({ ts: '2026-11-20T23:59:00Z' })] });
    expect(deps.ledger.tallies.map((t) => t.day)).toEqual(['2026-11-20', '2026-11-21']);
  });

  it('accepts a bot with 200, stores nothing and counts it', async () => {
    const { deps, app } = setup();
    const res = await post(app, { app: 'shop', events: [ev(), ev()] }, { headers: { 'user-agent': GOOGLEBOT } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, logged: 0, duplicates: 0, rejected: [] });
    expect(deps.log.appendCalls).toBe(0);
    expect(deps.ledger.tallies).toEqual([
      { day: '2026-11-20', app: 'shop', accepted: 0, duplicates: 0, rejected: {}, dropped: 0, bots: 2 },
    ]);
    expect(deps.metrics.eventsBot.get()).toBe(2);
  });

  it('stores bot traffic when TALLY_BOT_FILTER is off', async () => {
    const { deps, app } = setup({ botFilter: false });
    await post(app, { events: [ev()] }, { headers: { 'user-agent': GOOGLEBOT } });
    expect(deps.log.events).toHaveLength(1);
  });
});

describe('refusals the client should retry', () => {
  it('answers 503 with Retry-After when storage fails, counts nothing, and recovers', async () => {
    const { deps, app } = setup();
    deps.log.setFailing(true);
    const res = await post(app, { dropped: 3, events: [ev()] });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(await res.json()).toEqual({ ok: false, error: 'storage unavailable, retry later' });
    expect(deps.ledger.tallies).toEqual([]);
    expect(deps.metrics.eventsAccepted.get()).toBe(0);
    expect((await app.request('/healthz')).status).toBe(503);
    expect(deps.logger.lines.map((l) => l.msg)).toEqual(['event log refused a write']);
    deps.log.setFailing(false);
    expect((await post(app, { dropped: 3, events: [ev()] })).status).toBe(200);
    expect((await app.request('/healthz')).status).toBe(200);
  });

  it('rate limits per client address in events per minute, with Retry-After', async () => {
    const { deps, app } = setup({ rateLimit: 120 }); // 2 events per second
    const hundred = { events: Array.from({ length: 100 }, () => ev()) };
    expect((await post(app, hundred, { address: '198.51.100.7' })).status).toBe(200);
    const limited = await post(app, hundred, { address: '198.51.100.7' });
    expect(limited.status).toBe(429);
    // 20 tokens left, 100 needed, 2 per second: 40 s.
    expect(limited.headers.get('retry-after')).toBe('40');
    expect(await limited.json()).toEqual({ ok: false, error: 'rate limit exceeded, retry later' });
    // Another address has its own bucket.
    expect((await post(app, hundred, { address: '198.51.100.8' })).status).toBe(200);
    deps.clock.advance(39_000);
    expect((await post(app, hundred, { address: '198.51.100.7' })).status).toBe(429);
    deps.clock.advance(1_000);
    expect((await post(app, hundred, { address: '198.51.100.7' })).status).toBe(200);
    expect(deps.log.events).toHaveLength(300);
  });

  it('lets a batch bigger than the whole bucket through and makes the client wait after it', async () => {
    const { app } = setup({ rateLimit: 60 }); // 1 event per second, burst 60
    const hundred = { events: Array.from({ length: 100 }, () => ev()) };
    expect((await post(app, hundred, { address: '2001:db8::1' })).status).toBe(200);
    // The bucket is 40 in debt: the next request is refused before its body is read, told to wait
    // until a batch as large as the last admitted one (60, the whole bucket) fits: 100 s.
    const next = await post(app, { events: [] }, { address: '2001:db8::2' });
    expect(next.status).toBe(429);
    expect(next.headers.get('retry-after')).toBe('100');
  });
});

describe('CORS', () => {
  it('answers a preflight from any origin by default', async () => {
    const { app } = setup();
    const res = await app.request('/v1/events', {
      method: 'OPTIONS',
      headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-methods')).toBe('POST,OPTIONS');
    expect(res.headers.get('access-control-allow-headers')).toBe('Content-Type,Content-Encoding');
  });

  it('with an allow-list: echoes allowed origins, refuses others with 403, lets origin-less clients in', async () => {
    const { deps, app } = setup({ allowedOrigins: ['https://shop.example'] });
    const pre = await app.request('/api/analytics/event', {
      method: 'OPTIONS',
      headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    const ok = await post(app, { events: [ev()] }, { headers: { origin: 'https://shop.example' } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expect(ok.headers.get('access-control-expose-headers')).toBe('Retry-After');
    const evil = await post(app, { events: [ev()] }, { headers: { origin: 'https://evil.example', 'content-type': 'text/plain' } });
    expect(evil.status).toBe(403);
    expect(await evil.json()).toEqual({ ok: false, error: 'origin not allowed' });
    expect((await post(app, { events: [ev()] })).status).toBe(200);
    expect(deps.log.events).toHaveLength(2);
  });
});
