import { afterEach, describe, expect, it } from 'vitest';
import type { StoredEvent } from '@tally/protocol';
import { type Dim, DIMS } from '../rollup/index.js';
import { ev, harness, type Harness } from '../testing/rollup.js';
import { breakdown } from './breakdown.js';
import { resolveSegment } from './segment.js';
import { compareNames } from './top.js';
import { appFor } from '../testing/query-app.js';
import { OVERVIEW_TOP, warmOnce } from './warm.js';

let h: Harness;
afterEach(() => h?.close());

// A small deterministic generator (no Math.random: a failure must replay).
function rng(seed: number) {
  let x = seed;
  return (n: number) => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return (x >>> 8) % n;
  };
}

const pick = <T>(r: (n: number) => number, xs: T[]) => xs[r(xs.length)]!;

function events(seed: number, days: string[], n: number): StoredEvent[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => {
    const user = r(7) === 0 ? {} : { user_id: `u${r(40)}` };
    return ev(`${pick(r, days)}T${String(r(24)).padStart(2, '0')}:${String(r(60)).padStart(2, '0')}:00Z`, {
      ...user,
      app: pick(r, ['shop', 'blog', undefined]),
      event_type: pick(r, ['page_view', 'action', 'conversion']),
      feature: pick(r, ['search', 'cart', 'share', undefined]),
      url: pick(r, ['/', '/a', '/b', '/c?x=1', undefined]),
      context: { platform: pick(r, ['web', 'ios']), app_version: pick(r, ['1.0', '2.0']), browser: pick(r, ['Firefox', 'Chrome']), os: pick(r, ['Linux', 'iOS']), device_type: pick(r, ['desktop', 'mobile']) },
    });
  });
}

/** The field of dimension `d` as the rollup stores it (urls lose their query string). */
function valueOf(e: StoredEvent, d: Dim): string | null {
  const c = (e.context ?? {}) as Record<string, string | undefined>;
  const raw = d === 'app' ? e.app : d === 'event_type' ? e.event_type : d === 'feature' ? e.feature : d === 'url' ? e.url : c[d];
  if (raw === undefined || raw === '') return null;
  return d === 'url' ? raw.replace(/[?#].*$/, '') : raw;
}

/** Breakdown computed straight from the events, independently of the rollups. */
function expected(all: StoredEvent[], d: Dim, from: string, to: string, filter: Partial<Record<Dim, string>>, limit: number) {
  const m = new Map<string | null, { events: number; users: Set<string> }>();
  for (const e of all) {
    const day = e.time.slice(0, 10);
    if (day < from || day > to) continue;
    if (Object.entries(filter).some(([k, v]) => valueOf(e, k as Dim) !== v)) continue;
    const v = valueOf(e, d);
    let x = m.get(v);
    if (x === undefined) m.set(v, (x = { events: 0, users: new Set() }));
    x.events++;
    if (e.user_id !== undefined) x.users.add(e.user_id);
  }
  const rows = [...m].map(([value, x]) => ({ value, events: x.events, users: x.users.size })).sort((a, b) => b.events - a.events || compareNames(a.value, b.value));
  const cut = rows.slice(limit);
  return { rows: rows.slice(0, limit), omitted: { values: cut.length, events: cut.reduce((s, x) => s + x.events, 0) } };
}

const DAYS = ['2026-11-16', '2026-11-17', '2026-11-18', '2026-11-19', '2026-11-20'];

describe('breakdown from per-day summaries', () => {
  it('equals an independent count for every dimension, range, filter and limit, rolled up and live, and follows new events', async () => {
    h = await harness();
    const persisted = events(1, DAYS, 600);
    await h.log.append(persisted);
    await h.rollups.rollup!();
    // Live events on top of rolled-up days, one day only live.
    const live = events(2, [...DAYS.slice(3), '2026-11-21'], 300);
    await h.log.append(live);
    let all = [...persisted, ...live];
    const t = appFor(h);
    const check = async (from: string, to: string, filter: Partial<Record<Dim, string>>, limit: number) => {
      const qs = new URLSearchParams({ from, to, limit: String(limit), ...filter });
      for (const d of DIMS) {
        const want = expected(all, d, from, to, filter, limit);
        const { body } = await t.json(`/api/analytics/breakdown?by=${d}&${qs}`);
        expect({ d, from, to, filter, rows: body.rows, omitted: body.omitted }).toEqual({ d, from, to, filter, ...want });
        const { body: noUsers } = await t.json(`/api/analytics/breakdown?by=${d}&${qs}&users=false`);
        expect(noUsers.rows).toEqual(want.rows.map(({ value, events }) => ({ value, events })));
      }
    };
    await check('2026-11-16', '2026-11-21', {}, 100);
    await check('2026-11-16', '2026-11-21', {}, 2);
    await check('2026-11-17', '2026-11-19', { platform: 'ios' }, 3);
    await check('2026-11-18', '2026-11-21', { app: 'shop', browser: 'Chrome' }, 100);
    // Cached answers must follow new events (of a live and of a rolled-up day) and a rollup.
    const more = events(3, ['2026-11-17', '2026-11-21'], 200);
    await h.log.append(more);
    all = [...all, ...more];
    await check('2026-11-16', '2026-11-21', {}, 100);
    await h.rollups.rollup!();
    await check('2026-11-16', '2026-11-21', {}, 2);
    await check('2026-11-17', '2026-11-19', { platform: 'ios' }, 3);
  }, 60_000);

  it('counts the same users when the bitsets take several passes', async () => {
    h = await harness();
    const all = events(4, DAYS, 500);
    await h.log.append(all);
    const engine = h.rollups.engine!;
    const seg = resolveSegment(engine, {});
    for (const d of DIMS) {
      // 1 byte of budget: every value gets a pass of its own.
      const got = breakdown(engine, d, '2026-11-16', '2026-11-20', seg, 100, true, 1);
      expect(got).toEqual(expected(all, d, '2026-11-16', '2026-11-20', {}, 100));
    }
  });

  it('answers several dimensions in one request, equal to one request each', async () => {
    h = await harness();
    await h.log.append(events(8, DAYS, 300));
    const t = appFor(h);
    const range = 'from=2026-11-16&to=2026-11-20&platform=web';
    const { status, body } = await t.json(`/api/analytics/breakdowns?by=url,feature,os&limit=2&${range}`);
    expect(status).toBe(200);
    expect(Object.keys(body.breakdowns)).toEqual(['url', 'feature', 'os']);
    for (const d of ['url', 'feature', 'os']) {
      const one = (await t.json(`/api/analytics/breakdown?by=${d}&limit=2&${range}`)).body;
      expect(body.breakdowns[d]).toEqual({ rows: one.rows, omitted: one.omitted, total_rows: one.total_rows });
    }
    const csv = await (await t.get(`/api/analytics/breakdowns?by=os&users=false&${range}`, { accept: 'text/csv' })).text();
    const one = (await t.json(`/api/analytics/breakdown?by=os&${range}`)).body;
    expect(csv).toBe(`by,value,events\r\n${one.rows.map((r: { value: string; events: number }) => `os,${r.value},${r.events}\r\n`).join('')}`);
    expect((await t.json('/api/analytics/breakdowns?by=url,nope')).status).toBe(400);
    expect((await t.json('/api/analytics/breakdowns')).body.error).toMatch(/by is required/);
  });

  it('rejects a users parameter other than true or false', async () => {
    h = await harness();
    const { status, body } = await appFor(h).json('/api/analytics/breakdown?by=url&users=maybe');
    expect(status).toBe(400);
    expect(body.error).toMatch(/users must be one of true, false/);
  });
});

describe('breakdown warmer', () => {
  it('leaves the presets computed: an overview then reads no row of a settled day, and only the live day', async () => {
    h = await harness();
    const persisted = events(5, DAYS, 400);
    await h.log.append(persisted);
    await h.rollups.rollup!();
    const live = events(6, ['2026-11-20'], 50);
    await h.log.append(live);
    await warmOnce(h.rollups);
    // An event after the warming: the live day's answers are stale, the settled days' are not.
    const late = events(7, ['2026-11-20'], 5);
    await h.log.append(late);
    const engine = h.rollups.engine!;
    const read: string[] = [];
    const view = engine.view.bind(engine);
    engine.view = (day) => {
      const v = view(day);
      return v === undefined ? v : { ...v, rowSets: () => (read.push(day), v.rowSets()) };
    };
    const t = appFor(h);
    const all = [...persisted, ...live, ...late];
    for (const d of DIMS) {
      const { body } = await t.json(`/api/analytics/breakdown?by=${d}&from=2026-10-22&to=2026-11-20&limit=${OVERVIEW_TOP}`);
      expect(body.rows).toEqual(expected(all, d, '2026-10-22', '2026-11-20', {}, OVERVIEW_TOP).rows);
    }
    // The live day is scanned (its answer changes with every event); the settled ones never.
    expect(new Set(read)).toEqual(new Set(['2026-11-20']));
  });
});
