import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ev, harness, type Harness } from '../testing/rollup.js';
import { appFor } from '../testing/query-app.js';

// Now = Friday 2026-11-20 12:00 UTC. usage?days=7 covers Sat 11-14 .. Fri 11-20: the ISO week of
// Mon 11-09 is cut by the window (only 11-14 and 11-15 inside), the week of 11-16 is current.
const dataset = [
  ev('2026-11-13T10:00:00Z', { user_id: 'u0' }),
  ev('2026-11-13T11:00:00Z', { user_id: 'u1' }),
  ev('2026-11-14T09:00:00Z', { user_id: 'u1', feature: 'home' }),
  ev('2026-11-14T09:30:00Z', { anonymous_id: 'anon-1', event_type: 'action', feature: 'cta' }),
  ev('2026-11-15T08:00:00Z', { user_id: 'u1', event_type: 'action', feature: 'cta' }),
  ev('2026-11-15T08:05:00Z', { event_type: 'conversion' }), // no user: an event, not a user
  ev('2026-11-16T10:00:00Z', { user_id: 'u2', anonymous_id: 'anon-2' }),
  ev('2026-11-16T10:05:00Z', { anonymous_id: 'anon-2', user_id: 'u2', event_type: 'conversion', feature: 'signup' }),
  ev('2026-11-20T09:00:00Z', { user_id: 'u1', feature: 'home' }),
  // Clock skew: the device said 11-12, the collector corrected it to 11-20; `time` wins.
  ev('2026-11-20T09:10:00Z', { user_id: 'u3', ts: '2026-11-12T09:10:00Z' }),
];

describe('GET /api/analytics/usage', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
    await h.log.append(dataset);
  });
  afterEach(() => h.close());

  const expected7 = {
    ok: true,
    ts: '2026-11-20T12:00:00.000Z',
    period_days: 7,
    // day users: 11-14 {u1, anon-1}, 11-15 {u1}, 11-16 {u2}, 11-20 {u1, u3} → 6 / 4
    dau: 1.5,
    // cut week {u1, anon-1} = 2, current week {u2, u1, u3} = 3 → 5 / 2
    wau: 2.5,
    mau: 4,
    feature_usage: [
      { feature: 'cta', events: 2 },
      { feature: 'home', events: 2 },
      { feature: 'signup', events: 1 },
    ],
    feature_usage_omitted: { values: 0, events: 0 },
    funnel_steps: { page_view: 4, action: 2, conversion: 2 },
    total_events: 8,
    unique_days: 4,
    unique_weeks: 2,
  };

  it('answers exactly the documented shape and figures, before any rollup', async () => {
    const { status, body } = await appFor(h).json('/api/analytics/usage?days=7');
    expect(status).toBe(200);
    expect(body).toEqual(expected7);
    expect(Object.keys(body)).toEqual(Object.keys(expected7));
  });

  it('gives the same answer after a rollup and after a restart', async () => {
    await h.rollups.rollup!();
    expect((await appFor(h).json('/api/analytics/usage?days=7')).body).toEqual(expected7);
    await h.reopen();
    expect((await appFor(h).json('/api/analytics/usage?days=7')).body).toEqual(expected7);
  });

  it('defaults to 30 days, which reaches back to u0', async () => {
    const { body } = await appFor(h).json('/api/analytics/usage');
    expect(body.period_days).toBe(30);
    expect(body.mau).toBe(5);
    expect(body.total_events).toBe(10);
    expect(body.unique_days).toBe(5);
    // 11-13 {u0, u1} joins the week of 11-09: {u0, u1, anon-1} = 3, plus 3 → 3
    expect(body.wau).toBe(3);
    expect(body.dau).toBe(1.6);
  });

  it('days=1 is today only', async () => {
    const { body } = await appFor(h).json('/api/analytics/usage?days=1');
    expect(body).toMatchObject({ dau: 2, wau: 2, mau: 2, total_events: 2, unique_days: 1, unique_weeks: 1 });
  });

  it('reflects an appended event at once, and a late one for a rolled-up day', async () => {
    const t = appFor(h);
    await h.rollups.rollup!();
    await h.log.append([ev('2026-11-20T11:00:00Z', { user_id: 'u9', event_type: 'action', feature: 'cta' })]);
    let { body } = await t.json('/api/analytics/usage?days=7');
    expect(body).toMatchObject({ mau: 5, total_events: 9, dau: 1.8 });
    // Late: received today, happened on 11-15 (already rolled up).
    await h.log.append([ev('2026-11-15T20:00:00Z', { user_id: 'u8', received_at: '2026-11-20T11:30:00.000Z' })]);
    ({ body } = await t.json('/api/analytics/usage?days=7'));
    // days: {u1, anon-1}, {u1, u8}, {u2}, {u1, u3, u9}; weeks: {u1, anon-1, u8}, {u2, u1, u3, u9}
    expect(body).toMatchObject({ mau: 6, total_events: 10, dau: 2, wau: 3.5 });
    await h.rollups.rollup!();
    await h.reopen();
    expect((await appFor(h).json('/api/analytics/usage?days=7')).body).toMatchObject({ mau: 6, total_events: 10, dau: 2, wau: 3.5 });
  });

  it('applies segment filters', async () => {
    const { body } = await appFor(h).json('/api/analytics/usage?days=7&event_type=action');
    expect(body).toMatchObject({
      dau: 1, // 11-14 {anon-1}, 11-15 {u1}
      wau: 2,
      mau: 2,
      feature_usage: [{ feature: 'cta', events: 2 }],
      funnel_steps: { page_view: 0, action: 2, conversion: 0 },
      total_events: 2,
      unique_days: 2,
      unique_weeks: 1,
    });
    const none = await appFor(h).json('/api/analytics/usage?days=7&feature=never-seen');
    expect(none.body).toMatchObject({ dau: 0, wau: 0, mau: 0, total_events: 0, unique_days: 0, unique_weeks: 0, feature_usage: [] });
  });

  it('keeps filtered mau exact across rolled-up days and live ones, as events arrive', async () => {
    const t = appFor(h);
    const mau = async () => (await t.json('/api/analytics/usage?days=7&feature=home')).body.mau as number;
    // feature=home: 11-14 {u1}, 11-20 {u1} (both live before any rollup).
    expect(await mau()).toBe(1);
    await h.rollups.rollup!();
    expect(await mau()).toBe(1);
    // Today live again: u1 (already in the settled days) and u5 (new); then a late u6 on 11-15.
    await h.log.append([ev('2026-11-20T10:00:00Z', { user_id: 'u1', feature: 'home' }), ev('2026-11-20T10:01:00Z', { user_id: 'u5', feature: 'home' })]);
    expect(await mau()).toBe(2);
    await h.log.append([ev('2026-11-15T10:00:00Z', { user_id: 'u6', feature: 'home', received_at: '2026-11-20T10:02:00Z' })]);
    expect(await mau()).toBe(3);
    await h.rollups.rollup!();
    expect(await mau()).toBe(3);
  });

  it('downloads CSV with a header row', async () => {
    const res = await appFor(h).get('/api/analytics/usage?days=7&format=csv');
    expect(res.headers.get('content-type')).toContain('text/csv');
    const lines = (await res.text()).trim().split('\r\n');
    expect(lines[0]).toBe('metric,key,value');
    expect(lines).toContain('mau,,4');
    expect(lines).toContain('feature_usage,cta,2');
    const viaAccept = await appFor(h).get('/api/analytics/usage?days=7', { accept: 'text/csv' });
    expect((await viaAccept.text()).startsWith('metric,key,value')).toBe(true);
  });

  it('refuses bad parameters with 400 naming them, and requests without the key with 401', async () => {
    const t = appFor(h);
    for (const [q, word] of [
      ['days=0', 'days'],
      ['days=366', 'days'],
      ['days=abc', 'days'],
      ['format=xml', 'format'],
      ['platform=', 'platform'],
      ['limit=0', 'limit'],
      ['limit=1001', 'limit'],
      ['limit=ten', 'limit'],
    ] as const) {
      const { status, body } = await t.json(`/api/analytics/usage?${q}`);
      expect(status, q).toBe(400);
      expect(body.ok).toBe(false);
      expect(body.error).toContain(word);
    }
    expect((await t.app.request('/api/analytics/usage')).status).toBe(401);
  });
});

describe('usage.feature_usage: any name, largest first, top-N', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });
  afterEach(() => h.close());

  // Names a plain object would mangle: `__proto__` vanishes, integer-like keys jump to the front.
  const names: [string, number][] = [
    ['__proto__', 5],
    ['constructor', 4],
    ['10', 3],
    ['2', 2],
    ['toString', 2],
    ['hasOwnProperty', 1],
  ];
  const seed = () =>
    h.log.append(names.flatMap(([feature, n]) => Array.from({ length: n }, (_, i) => ev(`2026-11-20T10:0${i}:00Z`, { user_id: `u${i}`, feature }))));

  it('round-trips every name in JSON and CSV, ordered by events then name', async () => {
    await seed();
    const expected = [
      { feature: '__proto__', events: 5 },
      { feature: 'constructor', events: 4 },
      { feature: '10', events: 3 },
      { feature: '2', events: 2 },
      { feature: 'toString', events: 2 },
      { feature: 'hasOwnProperty', events: 1 },
    ];
    const t = appFor(h);
    for (const path of ['/api/analytics/usage?days=1', '/api/analytics/usage?days=1&event_type=page_view']) {
      const { body } = await t.json(path);
      expect(body.feature_usage, path).toEqual(expected);
      expect(body.feature_usage_omitted).toEqual({ values: 0, events: 0 });
    }
    const csv = (await (await t.get('/api/analytics/usage?days=1&format=csv')).text()).trim().split('\r\n');
    expect(csv.filter((l) => l.startsWith('feature_usage,'))).toEqual(expected.map((f) => `feature_usage,${f.feature},${f.events}`));
    await h.rollups.rollup!();
    await h.reopen();
    expect((await appFor(h).json('/api/analytics/usage?days=1')).body.feature_usage).toEqual(expected);
  });

  it('lists `limit` features (default 100) and sums the rest under feature_usage_omitted', async () => {
    await seed();
    const { body } = await appFor(h).json('/api/analytics/usage?days=1&limit=2');
    expect(body.feature_usage).toEqual([
      { feature: '__proto__', events: 5 },
      { feature: 'constructor', events: 4 },
    ]);
    expect(body.feature_usage_omitted).toEqual({ values: 4, events: 8 });
    await h.log.append(Array.from({ length: 150 }, (_, i) => ev('2026-11-20T11:00:00Z', { user_id: 'x', feature: `f${String(i).padStart(3, '0')}` })));
    const all = await appFor(h).json('/api/analytics/usage?days=1');
    expect(all.body.feature_usage).toHaveLength(100);
    expect(all.body.feature_usage_omitted).toEqual({ values: 56, events: 56 });
  });
});
