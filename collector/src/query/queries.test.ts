import { afterEach, describe, expect, it } from 'vitest';
import { ev, harness, type Harness } from '../testing/rollup.js';
import { appFor } from '../testing/query-app.js';

let h: Harness;
afterEach(() => h?.close());

const web = { platform: 'web', browser: 'Firefox', os: 'Linux', device_type: 'desktop', app_version: '1.2.0' };
const ios = { platform: 'ios', os: 'iOS', device_type: 'mobile', app_version: '2.0.0' };

describe('timeseries and breakdown', () => {
  it('counts per day and per ISO week in TALLY_TZ, with zeros for empty periods', async () => {
    h = await harness({ tz: 'America/Los_Angeles' });
    await h.log.append([
      ev('2026-11-17T05:00:00Z', { user_id: 'a' }), // 11-16 21:00 PST (Monday)
      ev('2026-11-17T18:00:00Z', { user_id: 'a' }), // 11-17
      ev('2026-11-17T19:00:00Z', { user_id: 'b' }), // 11-17
      ev('2026-11-16T07:00:00Z', { user_id: 'c' }), // 11-15 23:00 PST (Sunday, previous ISO week)
    ]);
    const t = appFor(h);
    let { body } = await t.json('/api/analytics/timeseries?metric=events&interval=day&from=2026-11-15&to=2026-11-18');
    expect(body.points).toEqual([
      { period: '2026-11-15', value: 1 },
      { period: '2026-11-16', value: 1 },
      { period: '2026-11-17', value: 2 },
      { period: '2026-11-18', value: 0 },
    ]);
    ({ body } = await t.json('/api/analytics/timeseries?metric=active_users&interval=week&from=2026-11-15&to=2026-11-18'));
    expect(body).toMatchObject({ ok: true, metric: 'active_users', interval: 'week', from: '2026-11-15', to: '2026-11-18' });
    expect(body.points).toEqual([
      { period: '2026-11-09', value: 1 },
      { period: '2026-11-16', value: 2 },
    ]);
    const csv = await (await t.get('/api/analytics/timeseries?metric=events&from=2026-11-16&to=2026-11-17&format=csv')).text();
    expect(csv).toBe('period,events\r\n2026-11-16,1\r\n2026-11-17,2\r\n');
  });

  it('breaks events and distinct users down by a dimension, under filters', async () => {
    h = await harness();
    await h.log.append([
      ev('2026-11-19T10:00:00Z', { user_id: 'a', app: 'shop', url: '/pricing', context: web }),
      ev('2026-11-19T11:00:00Z', { user_id: 'a', app: 'shop', url: '/pricing', context: web }),
      ev('2026-11-20T10:00:00Z', { user_id: 'b', app: 'shop', url: '/pricing', context: ios }),
      ev('2026-11-20T10:30:00Z', { user_id: 'b', app: 'shop', url: '/docs', event_type: 'action', feature: 'copy', context: ios }),
      ev('2026-11-20T11:00:00Z', { app: 'blog', url: '/docs', context: web }),
    ]);
    const t = appFor(h);
    let { body } = await t.json('/api/analytics/breakdown?by=url&from=2026-11-19&to=2026-11-20');
    expect(body.rows).toEqual([
      { value: '/pricing', events: 3, users: 2 },
      { value: '/docs', events: 2, users: 1 },
    ]);
    ({ body } = await t.json('/api/analytics/breakdown?by=platform&from=2026-11-19&to=2026-11-20&app=shop'));
    expect(body.rows).toEqual([
      { value: 'ios', events: 2, users: 1 }, // ties: by value, missing value last
      { value: 'web', events: 2, users: 1 },
    ]);
    ({ body } = await t.json('/api/analytics/breakdown?by=feature&from=2026-11-20&to=2026-11-20&platform=ios&app_version=2.0.0'));
    expect(body.rows).toEqual([
      { value: 'copy', events: 1, users: 1 },
      { value: null, events: 1, users: 1 },
    ]);
    ({ body } = await t.json('/api/analytics/breakdown?by=browser&from=2026-11-19&to=2026-11-19'));
    expect(body.rows).toEqual([{ value: 'Firefox', events: 2, users: 1 }]);
    const csv = await (await t.get('/api/analytics/breakdown?by=device_type&from=2026-11-19&to=2026-11-20', { accept: 'text/csv' })).text();
    expect(csv).toBe('device_type,events,users\r\ndesktop,3,1\r\nmobile,2,1\r\n');
  });

  it('breakdown lists the `limit` values with most events and sums the rest under omitted', async () => {
    h = await harness();
    // /p0 has 1 event ... /p149 has 150; two users each.
    await h.log.append(
      Array.from({ length: 150 }, (_, i) => Array.from({ length: i + 1 }, (_, k) => ev('2026-11-20T10:00:00Z', { user_id: `u${k % 2}`, url: `/p${i}` }))).flat(),
    );
    const t = appFor(h);
    let { body } = await t.json('/api/analytics/breakdown?by=url&from=2026-11-20&to=2026-11-20&limit=3');
    expect(body.rows).toEqual([
      { value: '/p149', events: 150, users: 2 },
      { value: '/p148', events: 149, users: 2 },
      { value: '/p147', events: 148, users: 2 },
    ]);
    expect(body.omitted).toEqual({ values: 147, events: (147 * 148) / 2 });
    ({ body } = await t.json('/api/analytics/breakdown?by=url&from=2026-11-20&to=2026-11-20'));
    expect(body.rows).toHaveLength(100);
    expect(body.rows[99]).toEqual({ value: '/p50', events: 51, users: 2 });
    expect(body.omitted).toEqual({ values: 50, events: (50 * 51) / 2 });
    const csv = (await (await t.get('/api/analytics/breakdown?by=url&from=2026-11-20&to=2026-11-20&limit=2&format=csv')).text()).trim().split('\r\n');
    expect(csv).toEqual(['url,events,users', '/p149,150,2', '/p148,149,2']);
    expect((await t.json('/api/analytics/breakdown?by=url&limit=1001')).status).toBe(400);
  });
});

describe('funnel', () => {
  const day = (d: string, hm: string) => `2026-11-${d}T${hm}:00Z`;
  const data = [
    // ua: all three in order.
    ev(day('16', '10:00'), { user_id: 'ua', feature: 'pricing' }),
    ev(day('16', '11:00'), { user_id: 'ua', event_type: 'action', feature: 'signup_button' }),
    ev(day('16', '12:00'), { user_id: 'ua', event_type: 'conversion', feature: 'signup' }),
    // ub: the button before pricing: wrong order.
    ev(day('16', '09:00'), { user_id: 'ub', event_type: 'action', feature: 'signup_button' }),
    ev(day('16', '10:00'), { user_id: 'ub', feature: 'pricing' }),
    // uc: the button two days after pricing.
    ev(day('16', '10:00'), { user_id: 'uc', feature: 'pricing' }),
    ev(day('18', '10:00'), { user_id: 'uc', event_type: 'action', feature: 'signup_button' }),
    // ud: two steps, no conversion; a conversion of a different feature does not count.
    ev(day('17', '10:00'), { user_id: 'ud', feature: 'pricing', context: { platform: 'ios' } }),
    ev(day('17', '11:00'), { user_id: 'ud', event_type: 'action', feature: 'signup_button', context: { platform: 'ios' } }),
    ev(day('17', '12:00'), { user_id: 'ud', event_type: 'conversion', feature: 'upgrade', context: { platform: 'ios' } }),
    // No user: never in a funnel.
    ev(day('17', '10:00'), { feature: 'pricing' }),
  ];
  const steps = 'steps=page_view:pricing,action:signup_button,conversion:signup&from=2026-11-16&to=2026-11-20';

  it('counts users per ordered step within the window of step 1', async () => {
    h = await harness();
    await h.log.append(data);
    const t = appFor(h);
    let { body } = await t.json(`/api/analytics/funnel?${steps}&within=1d`);
    expect(body.steps).toEqual([
      { step: 'page_view:pricing', users: 4, conversion_from_previous: null, conversion_from_first: null },
      { step: 'action:signup_button', users: 2, conversion_from_previous: 0.5, conversion_from_first: 0.5 },
      { step: 'conversion:signup', users: 1, conversion_from_previous: 0.5, conversion_from_first: 0.25 },
    ]);
    ({ body } = await t.json(`/api/analytics/funnel?${steps}&within=7d`));
    expect(body.steps.map((s: { users: number }) => s.users)).toEqual([4, 3, 1]);
    ({ body } = await t.json(`/api/analytics/funnel?${steps}&within=1d&platform=ios`));
    expect(body.steps.map((s: { users: number }) => s.users)).toEqual([1, 1, 0]);
    ({ body } = await t.json('/api/analytics/funnel?steps=page_view,action&within=30m&from=2026-11-16&to=2026-11-20'));
    // Bare event types: ub's button came first; ua's came 60 min after; ud's 60 min after → none within 30m.
    expect(body.steps.map((s: { users: number }) => s.users)).toEqual([4, 0]);
    const csv = await (await t.get(`/api/analytics/funnel?${steps}&within=1d&format=csv`)).text();
    expect(csv.split('\r\n')[0]).toBe('step,users,conversion_from_previous,conversion_from_first');
    expect(csv.split('\r\n')[2]).toBe('action:signup_button,2,0.5,0.5');
  });

  it('answers the same from the rollup funnel index, after a restart and with a late event', async () => {
    h = await harness();
    await h.log.append(data);
    await h.rollups.rollup!();
    await h.reopen();
    const engine = h.rollups.engine!;
    const type = engine.dict.find('page_view')!;
    // The persisted day is read through its index, not its rows.
    expect(engine.view('2026-11-16')!.steps(type, engine.dict.find('pricing')!)!.users).toHaveLength(3);
    expect(engine.view('2026-11-16')!.steps(type, 0)!.users).toHaveLength(3);
    const t = appFor(h);
    const users = async (q: string) => ((await t.json(`/api/analytics/funnel?${q}`)).body.steps as { users: number }[]).map((s) => s.users);
    expect(await users(`${steps}&within=1d`)).toEqual([4, 2, 1]);
    expect(await users(`${steps}&within=7d`)).toEqual([4, 3, 1]);
    expect(await users(`${steps}&within=1d&platform=ios`)).toEqual([1, 1, 0]);
    expect(await users('steps=page_view,action&within=30m&from=2026-11-16&to=2026-11-20')).toEqual([4, 0]);
    // A late conversion for uc on the 18th (a rolled-up day): live part + index, counted at once.
    await h.log.append([ev(day('18', '11:00'), { user_id: 'uc', event_type: 'conversion', feature: 'signup', received_at: '2026-11-20T11:00:00Z' })]);
    // The rolled-up day's list and the live event, merged: uc (user 2) now has a conversion on the 18th.
    const conversion = () => engine.view('2026-11-18')!.steps(engine.dict.find('conversion')!, engine.dict.find('signup')!)!;
    expect([...conversion().users]).toEqual([engine.users.find('uc')]);
    expect(await users(`${steps}&within=7d`)).toEqual([4, 3, 2]);
    await h.rollups.rollup!();
    expect([...conversion().users]).toEqual([engine.users.find('uc')]);
    expect(await users(`${steps}&within=7d`)).toEqual([4, 3, 2]);
  });

  it('refuses malformed steps and windows', async () => {
    h = await harness();
    const t = appFor(h);
    for (const [q, word] of [
      ['within=7d', 'steps'],
      ['steps=page_view&within=7d', 'steps'],
      ['steps=page_view:,action', 'steps'],
      ['steps=page_view,action&within=7x', 'within'],
      ['steps=page_view,action&from=2026-02-30', 'from'],
      ['steps=page_view,action&from=2026-11-20&to=2026-11-01', 'from'],
    ] as const) {
      const { status, body } = await t.json(`/api/analytics/funnel?${q}`);
      expect(status, q).toBe(400);
      expect(body.error, q).toContain(word);
    }
  });
});

describe('retention', () => {
  it('builds cohorts by first-seen day and week', async () => {
    h = await harness();
    await h.log.append([
      ev('2026-11-10T10:00:00Z', { user_id: 'p4' }), // first seen before the range
      ev('2026-11-16T10:00:00Z', { user_id: 'p4' }),
      ev('2026-11-16T10:00:00Z', { user_id: 'p1' }),
      ev('2026-11-17T10:00:00Z', { user_id: 'p1' }),
      ev('2026-11-18T10:00:00Z', { user_id: 'p1' }),
      ev('2026-11-16T11:00:00Z', { anonymous_id: 'p2' }),
      ev('2026-11-18T11:00:00Z', { anonymous_id: 'p2' }),
      ev('2026-11-17T12:00:00Z', { user_id: 'p3', context: { platform: 'ios' } }),
      ev('2026-11-18T12:00:00Z', { user_id: 'p3', context: { platform: 'ios' } }),
    ]);
    await h.rollups.rollup!();
    const t = appFor(h);
    let { body } = await t.json('/api/analytics/retention?cohort=day&periods=2&from=2026-11-16&to=2026-11-17');
    expect(body.cohorts).toEqual([
      { cohort: '2026-11-16', size: 2, active: [2, 1, 2], retention: [1, 0.5, 1] },
      { cohort: '2026-11-17', size: 1, active: [1, 1, 0], retention: [1, 1, 0] },
    ]);
    ({ body } = await t.json('/api/analytics/retention?cohort=day&periods=4&from=2026-11-18&to=2026-11-18'));
    // Nobody is new on 11-18; periods after today (11-20) are null.
    expect(body.cohorts).toEqual([{ cohort: '2026-11-18', size: 0, active: [0, 0, 0, null, null], retention: [0, 0, 0, null, null] }]);
    ({ body } = await t.json('/api/analytics/retention?cohort=week&periods=1&from=2026-11-09&to=2026-11-16'));
    expect(body.cohorts).toEqual([
      { cohort: '2026-11-09', size: 1, active: [1, 1], retention: [1, 1] },
      { cohort: '2026-11-16', size: 3, active: [3, null], retention: [1, null] },
    ]);
    // Filtered: first seen counts only matching activity.
    ({ body } = await t.json('/api/analytics/retention?cohort=day&periods=1&from=2026-11-17&to=2026-11-17&platform=ios'));
    expect(body.cohorts).toEqual([{ cohort: '2026-11-17', size: 1, active: [1, 1], retention: [1, 1] }]);
    const csv = await (await t.get('/api/analytics/retention?cohort=day&periods=2&from=2026-11-16&to=2026-11-16&format=csv')).text();
    expect(csv).toBe('cohort,size,period_0,period_1,period_2\r\n2026-11-16,2,1,0.5,1\r\n');
    expect((await t.json('/api/analytics/retention?cohort=month')).status).toBe(400);
    expect((await t.json('/api/analytics/retention?periods=0')).status).toBe(400);
  });
});

describe('completeness', () => {
  it('reports the ledger per UTC receipt day', async () => {
    h = await harness();
    await h.ledger.record({ day: '2026-11-20', app: 'web', accepted: 5, duplicates: 1, rejected: { invalid_ts: 2 }, dropped: 3, bots: 1 });
    const t = appFor(h);
    const { body } = await t.json('/api/analytics/completeness?days=2');
    expect(body).toEqual({
      ok: true,
      from: '2026-11-19',
      to: '2026-11-20',
      days: [
        { day: '2026-11-19', accepted: 0, duplicates: 0, rejected: {}, rejected_total: 0, bots: 0, dropped: 0, other: {} },
        { day: '2026-11-20', accepted: 5, duplicates: 1, rejected: { invalid_ts: 2 }, rejected_total: 2, bots: 1, dropped: 3, other: {} },
      ],
    });
    const csv = await (await t.get('/api/analytics/completeness?days=1&format=csv')).text();
    expect(csv).toBe('day,accepted,duplicates,rejected_total,bots,dropped,rejected_invalid_ts\r\n2026-11-20,5,1,2,1,3,2\r\n');
    expect((await t.json('/api/analytics/completeness?days=400')).status).toBe(400);
    expect((await t.json('/api/analytics/completeness?platform=web')).body.error).toContain('platform');
    expect((await t.json('/api/analytics/completeness?days=1&app=ios')).body.days[0].accepted).toBe(0);
  });
});
