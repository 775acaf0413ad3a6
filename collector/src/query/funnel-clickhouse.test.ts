import type { StoredEvent } from '@tally/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ev, harness, type Harness } from '../testing/rollup.js';
import { openClickHouse, type ClickHouse } from '../testing/chdb.js';
import { appFor } from '../testing/query-app.js';
import { sharedStepReader } from '../rollup/index.js';
import { sharedFunnelWalker } from './funnel-walker.js';

/**
 * Issue 11: every step count of `/api/analytics/funnel` equals ClickHouse's own
 * `windowFunnel(within)` (default mode), run by chdb on the same events loaded as JSONEachRow.
 * ClickHouse parses the times and maps them to America/New_York days itself, so the day
 * boundaries (across the DST change of 2026-11-01) are checked independently too.
 */

const TZ = 'America/New_York';
const NOW = '2026-11-06T15:00:00.000Z';
const LATE_RECEIPT = '2026-11-06T12:00:00.000Z';
const ROLLED_BEFORE = '2026-11-03T05:00:00.000Z'; // New York midnight starting 11-03

// Deterministic pseudo-random numbers (mulberry32), so a failure reproduces.
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

interface Gen {
  events: StoredEvent[];
  /** Events of the days already rolled up that arrive late (received on the last day). */
  late: StoredEvent[];
}

function generate(): Gen {
  const r = rng(11);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const FEATURES = {
    page_view: ['pricing', 'docs', 'home', undefined],
    action: ['signup_button', 'search', 'search', undefined],
    conversion: ['signup', 'billing', undefined],
  } as const;
  const TYPES = ['page_view', 'page_view', 'page_view', 'action', 'action', 'conversion'] as const;
  const start = Date.parse('2026-10-26T00:00:00.000Z');
  const end = Date.parse('2026-11-06T14:00:00.000Z');
  const events: StoredEvent[] = [];
  const late: StoredEvent[] = [];
  const push = (ms: number, over: Partial<StoredEvent>) => {
    const e = ev(iso(ms), over);
    // A tenth of the events of rolled-up days arrive after the rollup, as late events.
    if (ms < Date.parse(ROLLED_BEFORE) && r() < 0.1) late.push({ ...e, received_at: LATE_RECEIPT });
    else events.push(e);
  };
  for (let u = 0; u < 140; u++) {
    const who = u % 3 === 0 ? { anonymous_id: `anon-${u}` } : { user_id: `user-${u}` };
    const home = u % 2 === 0 ? { app: 'web', platform: 'web', version: '1.0' } : { app: 'mobile', platform: 'ios', version: '2.0' };
    const sessions = 1 + Math.floor(r() * 6);
    for (let s = 0; s < sessions; s++) {
      // Whole minutes, and some steps 0 minutes apart: ties between different steps are common.
      let t = start + Math.floor(r() * ((end - start) / MIN)) * MIN;
      const n = 1 + Math.floor(r() * 9);
      for (let i = 0; i < n && t < end; i++) {
        const type = pick(TYPES);
        const feature = pick(FEATURES[type]);
        const seg = r() < 0.1 ? { app: 'web', platform: 'android', version: '3.0' } : home;
        push(t, { ...who, event_type: type, feature, app: seg.app, context: { platform: seg.platform, app_version: seg.version } });
        t += pick([0, 0, 1, 2, 5, 15, 45, 89, 90, 91, 240, 700, 721]) * MIN;
      }
    }
  }
  // Hand-made edges, for the windows queried below (90 m = 5,400,000 ms; 12 h = 43,200,000 ms).
  const web = { app: 'web', context: { platform: 'web', app_version: '1.0' } };
  const at = (s: string) => Date.parse(s);
  const edge = (user: string, steps: [string, string, string | undefined][]) => {
    for (const [t, type, feature] of steps) events.push(ev(t, { user_id: user, event_type: type, feature, ...web }));
  };
  // Exactly `within` after step 1 counts; one millisecond more does not. Both cross New York's
  // midnight of 11-01 (still EDT, UTC−4).
  edge('edge-in', [[iso(at('2026-11-01T03:00:00.000Z')), 'action', undefined], [iso(at('2026-11-01T03:00:00.000Z') + 5_400_000), 'page_view', 'home']]);
  edge('edge-out', [[iso(at('2026-11-01T03:00:00.000Z')), 'action', undefined], [iso(at('2026-11-01T03:00:00.000Z') + 5_400_001), 'page_view', 'home']]);
  // Around the first midnight in EST (11-02 05:00Z): 12 h exactly, and 12 h + 1 ms.
  edge('edge-12h-in', [['2026-11-01T17:00:00.000Z', 'page_view', 'docs'], ['2026-11-01T18:00:00.000Z', 'action', 'search'], ['2026-11-02T05:00:00.000Z', 'conversion', 'billing']]);
  edge('edge-12h-out', [['2026-11-01T17:00:00.000Z', 'page_view', 'docs'], ['2026-11-01T18:00:00.000Z', 'action', 'search'], ['2026-11-02T05:00:00.001Z', 'conversion', 'billing']]);
  // A step repeated after a later step: the button at 09:00, pricing at 10:00, the button again at 11:00.
  edge('repeat', [['2026-10-28T13:00:00.000Z', 'action', 'signup_button'], ['2026-10-28T14:00:00.000Z', 'page_view', 'pricing'], ['2026-10-28T15:00:00.000Z', 'action', 'signup_button']]);
  // All three steps at the same millisecond, logged in reverse order.
  edge('tie', [['2026-10-29T12:00:00.000Z', 'conversion', 'signup'], ['2026-10-29T12:00:00.000Z', 'action', 'signup_button'], ['2026-10-29T12:00:00.000Z', 'page_view', 'pricing']]);
  // Just before and just after New York midnights (EDT and EST), for ranges that start or end there.
  edge('midnight', [['2026-11-01T03:59:59.999Z', 'page_view', 'pricing'], ['2026-11-01T04:00:00.000Z', 'action', 'signup_button'], ['2026-11-02T04:59:59.999Z', 'page_view', 'pricing'], ['2026-11-02T05:00:00.000Z', 'action', 'signup_button']]);
  // Events without any user id never enter a funnel.
  for (let i = 0; i < 20; i++) events.push(ev(iso(start + i * 37 * MIN), { event_type: 'page_view', feature: 'pricing', ...web }));
  return { events, late };
}

const QUERIES: { steps: string; within: string; ms: number }[] = [
  { steps: 'action,page_view', within: '90m', ms: 5_400_000 },
  { steps: 'page_view:pricing,action:signup_button,conversion:signup', within: '1d', ms: 86_400_000 },
  { steps: 'page_view,action:search,conversion:billing', within: '12h', ms: 43_200_000 },
  { steps: 'page_view,conversion', within: '7d', ms: 7 * 86_400_000 },
  { steps: 'page_view,page_view,action', within: '2h', ms: 7_200_000 },
  { steps: 'action,action:search', within: '1m', ms: 60_000 },
  { steps: 'page_view:pricing,action:signup_button', within: '30m', ms: 1_800_000 },
  { steps: 'page_view,action,page_view,action,conversion,page_view,action,conversion,page_view,conversion', within: '3d', ms: 3 * 86_400_000 },
];
const RANGES: [string, string][] = [
  ['2026-10-26', '2026-11-06'],
  ['2026-11-01', '2026-11-02'], // the DST change (25-hour day) and the day after
  ['2026-10-29', '2026-11-04'], // half rolled up, half live
];
const FILTERS = ['', 'platform=ios', 'app=web', 'app_version=1.0', 'feature=pricing', 'event_type=action', 'app=web&platform=android', 'platform=nowhere'];

const sqlString = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

// Conditions must not be Nullable: ClickHouse's Null combinator would skip a row with any NULL argument.
function condition(step: string): string {
  const [type, feature] = step.split(':') as [string, string | undefined];
  return feature === undefined ? `event_type = ${sqlString(type)}` : `(event_type = ${sqlString(type)} AND ifNull(feature, '') = ${sqlString(feature)})`;
}

function whereOf(filter: string): string {
  if (filter === '') return '';
  return filter
    .split('&')
    .map((kv) => {
      const [k, v] = kv.split('=') as [string, string];
      return ` AND ${k} = ${sqlString(v)}`;
    })
    .join('');
}

/** Users reaching each step, by ClickHouse: windowFunnel per user, then users at level ≥ k. */
async function clickhouseFunnel(ch: ClickHouse, table: string, steps: string, ms: number, from: string, to: string, filter: string): Promise<number[]> {
  const list = steps.split(',');
  const rows = await ch.rows<{ level: number; users: number }>(
    `SELECT level, count() AS users FROM (
       SELECT ifNull(user_id, anonymous_id) AS who,
              windowFunnel(${ms})(toUInt64(toUnixTimestamp64Milli(parseDateTime64BestEffort(time, 3, 'UTC'))), ${list.map(condition).join(', ')}) AS level
       FROM ${table}
       WHERE who IS NOT NULL
         AND toDate(parseDateTime64BestEffort(time, 3, 'UTC'), '${TZ}') BETWEEN '${from}' AND '${to}'${whereOf(filter)}
       GROUP BY who)
     GROUP BY level`,
  );
  return list.map((_, k) => rows.filter((r) => r.level >= k + 1).reduce((a, r) => a + r.users, 0));
}

const flat = (e: StoredEvent) => ({
  time: e.time,
  user_id: e.user_id ?? null,
  anonymous_id: e.anonymous_id ?? null,
  event_type: e.event_type,
  feature: e.feature ?? null,
  app: e.app ?? null,
  platform: e.context?.platform ?? null,
  app_version: e.context?.app_version ?? null,
});
const COLUMNS =
  'time String, user_id Nullable(String), anonymous_id Nullable(String), event_type String, feature Nullable(String), app Nullable(String), platform Nullable(String), app_version Nullable(String)';

describe('funnel equals ClickHouse windowFunnel (chdb) on generated events', () => {
  let ch: ClickHouse;
  let h: Harness;
  const gen = generate();
  beforeAll(async () => {
    ch = await openClickHouse();
    h = await harness({ tz: TZ, now: NOW });
  }, 60_000);
  afterAll(async () => {
    ch?.close();
    await h?.close();
  });

  async function compareAll(table: string, label: string) {
    const t = appFor(h);
    let compared = 0;
    let converting = 0;
    for (const q of QUERIES) {
      for (const [from, to] of RANGES) {
        for (const filter of FILTERS) {
          const path = `/api/analytics/funnel?steps=${q.steps}&within=${q.within}&from=${from}&to=${to}${filter === '' ? '' : `&${filter}`}`;
          const { status, body } = await t.json(path);
          expect(status, path).toBe(200);
          const tally = (body.steps as { users: number }[]).map((s) => s.users);
          const clickhouse = await clickhouseFunnel(ch, table, q.steps, q.ms, from, to, filter);
          expect(tally, `${label}: ${path}`).toEqual(clickhouse);
          compared++;
          if (clickhouse[1]! > 0) converting++;
        }
      }
    }
    // The comparison is not vacuous: most funnels have users past step 1.
    expect(compared).toBe(QUERIES.length * RANGES.length * FILTERS.length);
    expect(converting).toBeGreaterThan(compared / 2);
  }

  it('has the hard cases in the data, a few thousand events', () => {
    expect(gen.events.length + gen.late.length).toBeGreaterThan(2500);
    expect(gen.late.length).toBeGreaterThan(50);
  });

  it('agrees with every day live, then rolled up with late and live events, then after a restart', async () => {
    const old = gen.events.filter((e) => e.time < ROLLED_BEFORE);
    const recent = gen.events.filter((e) => e.time >= ROLLED_BEFORE);
    await h.log.append(old);
    await ch.load('phase1', COLUMNS, old.map(flat));
    await compareAll('phase1', 'all live');

    // Roll the old days up; then today's and the last days' events arrive live, with late events
    // for the rolled-up days (merged with their funnel index at query time).
    await h.rollups.rollup!();
    await h.log.append([...recent, ...gen.late]);
    expect(h.rollups.engine!.live.has('2026-10-27')).toBe(true); // a late event reopened a rolled-up day
    const all = [...gen.events, ...gen.late].map(flat);
    await ch.load('everything', COLUMNS, all);
    await compareAll('everything', 'rolled up + late + live');

    await h.rollups.rollup!();
    await h.reopen();
    expect(h.rollups.engine!.live.size).toBe(0);
    // The settled days are walked in the walker's thread over the reader's lists, as in `serve`
    // (the first funnels above started both threads; until ready, funnels run in-process).
    expect(await sharedStepReader().whenReady()).toBe(true);
    expect(await sharedFunnelWalker().whenReady()).toBe(true);
    await compareAll('everything', 'rolled up, after restart');
  }, 120_000);
});
