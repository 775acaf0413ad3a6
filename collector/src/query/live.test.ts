import { afterEach, describe, expect, it } from 'vitest';
import { ev, harness, type Harness } from '../testing/rollup.js';
import { appFor } from '../testing/query-app.js';

let h: Harness;
afterEach(() => h?.close());

describe('GET /api/analytics/usage with to (previous period)', () => {
  it('ends the window on the given day, exactly as if that day were today', async () => {
    h = await harness();
    await h.log.append([
      ev('2026-11-10T10:00:00Z', { user_id: 'a' }),
      ev('2026-11-12T10:00:00Z', { user_id: 'b' }),
      ev('2026-11-12T11:00:00Z', { user_id: 'a' }),
      ev('2026-11-19T10:00:00Z', { user_id: 'c' }),
      ev('2026-11-20T10:00:00Z', { user_id: 'c' }),
    ]);
    const t = appFor(h);
    const cur = (await t.json('/api/analytics/usage?days=7')).body;
    expect(cur).toMatchObject({ mau: 1, total_events: 2, dau: 1, unique_days: 2 });
    const prev = (await t.json('/api/analytics/usage?days=7&to=2026-11-13')).body;
    expect(prev).toMatchObject({ period_days: 7, mau: 2, total_events: 3, unique_days: 2, dau: 1.5 });
    const bad = await t.json('/api/analytics/usage?days=7&to=yesterday');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/YYYY-MM-DD/);
  });

  it('filters by any breakdown dimension (url, browser, os, device_type too)', async () => {
    h = await harness();
    await h.log.append([
      ev('2026-11-20T10:00:00Z', { user_id: 'a', url: '/pricing', context: { browser: 'Firefox' } }),
      ev('2026-11-20T10:05:00Z', { user_id: 'b', url: '/docs', context: { browser: 'Chrome' } }),
    ]);
    const t = appFor(h);
    expect((await t.json('/api/analytics/usage?days=1&url=%2Fpricing')).body).toMatchObject({ total_events: 1, mau: 1 });
    expect((await t.json('/api/analytics/usage?days=1&browser=Chrome')).body).toMatchObject({ total_events: 1, mau: 1 });
    expect((await t.json('/api/analytics/breakdown?by=url&browser=Firefox&from=2026-11-20&to=2026-11-20')).body.rows).toEqual([
      { value: '/pricing', events: 1, users: 1 },
    ]);
  });
});

describe('GET /api/analytics/breakdown with limit (top-N on the server)', () => {
  it('keeps the first N rows and says how many there were', async () => {
    h = await harness();
    await h.log.append(['/a', '/a', '/a', '/b', '/b', '/c'].map((url, i) => ev(`2026-11-20T10:0${i}:00Z`, { user_id: `u${i}`, url })));
    const t = appFor(h);
    const { body } = await t.json('/api/analytics/breakdown?by=url&from=2026-11-20&to=2026-11-20&limit=2');
    expect(body.rows).toEqual([
      { value: '/a', events: 3, users: 3 },
      { value: '/b', events: 2, users: 2 },
    ]);
    expect(body.total_rows).toBe(3);
    expect((await t.json('/api/analytics/breakdown?by=url&from=2026-11-20&to=2026-11-20')).body.rows).toHaveLength(3);
    for (const bad of ['0', 'x', '100001']) expect((await t.json(`/api/analytics/breakdown?by=url&limit=${bad}`)).status, bad).toBe(400);
  });
});

describe('GET /api/analytics/info', () => {
  it('names TALLY_TZ, today there and the days that hold data', async () => {
    h = await harness({ tz: 'Pacific/Auckland' });
    const t = appFor(h);
    expect((await t.json('/api/analytics/info')).body).toEqual({
      ok: true,
      time_zone: 'Pacific/Auckland',
      today: '2026-11-21',
      now: '2026-11-20T12:00:00.000Z',
      first_day: null,
      last_day: null,
    });
    await h.log.append([ev('2026-11-18T10:00:00Z'), ev('2026-11-20T10:00:00Z')]);
    expect((await t.json('/api/analytics/info')).body).toMatchObject({ first_day: '2026-11-18', last_day: '2026-11-20' });
  });

  it('needs the key like every query', async () => {
    h = await harness();
    const res = await appFor(h).app.request('/api/analytics/info');
    expect(res.status).toBe(401);
  });
});

describe('GET /api/analytics/realtime', () => {
  it('counts events and distinct users per minute of receipt for the last 30 minutes, labelled in TALLY_TZ', async () => {
    h = await harness({ tz: 'Asia/Kathmandu' }); // UTC+5:45
    const t = appFor(h);
    await h.log.append([
      ev('2026-11-20T11:59:10Z', { user_id: 'a', app: 'shop', feature: 'buy', url: '/cart', context: { platform: 'web' } }),
      ev('2026-11-20T11:59:20Z', { user_id: 'a', app: 'shop' }),
      ev('2026-11-20T11:59:30Z', { anonymous_id: 'x', app: 'blog' }),
      ev('2026-11-20T11:20:00Z', { user_id: 'old' }), // 40 minutes ago: outside the window
    ]);
    const { body } = await t.json('/api/analytics/realtime');
    expect(body.minutes).toHaveLength(30);
    expect(body.minutes.at(-1)).toEqual({ minute: '2026-11-20T12:00:00.000Z', label: '17:45', events: 0, users: 0 });
    expect(body.minutes.at(-2)).toEqual({ minute: '2026-11-20T11:59:00.000Z', label: '17:44', events: 3, users: 2 });
    expect(body).toMatchObject({ ok: true, time_zone: 'Asia/Kathmandu', events: 3, active_users: 2 });
    expect(body.latest[0]).toEqual({ received_at: '2026-11-20T11:20:00Z', event_type: 'page_view', feature: null, url: null, platform: null, app: null });
    expect(body.latest[3]).toEqual({ received_at: '2026-11-20T11:59:10Z', event_type: 'page_view', feature: 'buy', url: '/cart', platform: 'web', app: 'shop' });
    // No user ids in the feed.
    expect(JSON.stringify(body.latest)).not.toMatch(/"a"|"x"|user_id|anonymous_id/);

    const shop = (await t.json('/api/analytics/realtime?app=shop&latest=1')).body;
    expect(shop).toMatchObject({ events: 2, active_users: 1 });
    expect(shop.latest).toHaveLength(1);

    h.clock.advance(31 * 60_000);
    expect((await t.json('/api/analytics/realtime')).body).toMatchObject({ events: 0, active_users: 0 });
  });

  it('rejects bad parameters with a clear 400 and answers CSV', async () => {
    h = await harness();
    const t = appFor(h);
    for (const q of ['latest=51', 'latest=x', 'app=', 'format=xml']) {
      const r = await t.json(`/api/analytics/realtime?${q}`);
      expect(r.status, q).toBe(400);
      expect(r.body.ok).toBe(false);
    }
    const csv = await (await t.get('/api/analytics/realtime?format=csv')).text();
    expect(csv.split('\r\n')[0]).toBe('minute,label,events,users');
    expect(csv.trim().split('\r\n')).toHaveLength(31);
  });
});
