import type { Engine } from '../rollup/index.js';
import { addDays, dayNumber, weekStart } from '../shared/index.js';
import { createMarker, dayFigures, type Segment } from './segment.js';
import { DEFAULT_LIMIT, topN, type Omitted } from './top.js';
import { perEngine } from './per-engine.js';

export interface UsageAnswer {
  ok: true;
  ts: string;
  period_days: number;
  dau: number;
  wau: number;
  mau: number;
  /** Events per feature, largest first (ties by name), at most `limit` entries. An array, not an
   *  object: JSON objects list integer-like keys first and a `__proto__` key is lost in JavaScript. */
  feature_usage: { feature: string; events: number }[];
  feature_usage_omitted: Omitted;
  funnel_steps: { page_view: number; action: number; conversion: number };
  total_events: number;
  unique_days: number;
  unique_weeks: number;
}

const marker = createMarker();
const weekCacheOf = perEngine(() => new Map<string, number>());

const round1 = (x: number) => Math.round(x * 10) / 10;

/** Distinct users over some days (each day's set from `usersOf`). */
export function distinctUsers(days: string[], usersOf: (day: string) => Uint32Array): number {
  marker.reset();
  let n = 0;
  for (const d of days) for (const u of usersOf(d)) if (marker.add(u)) n++;
  return n;
}

/** Union of the window's settled days (no live events), per segment and day versions. */
const settledCacheOf = perEngine(() => new Map<string, { seen: Uint8Array; n: number }>());
const liveMarker = createMarker();

/**
 * Distinct users of a filtered window. The days without live events rarely change, so their union
 * is kept as a bitmap (1 byte per user id) under their versions; a query then only adds the live
 * days' users that the bitmap does not hold. Exact either way.
 */
function windowUsers(engine: Engine, segKey: string, days: string[], usersOf: (day: string) => Uint32Array): number {
  const settled = days.filter((d) => !engine.live.has(d));
  const live = days.filter((d) => engine.live.has(d));
  const key = `${segKey}|${settled.map((d) => `${d}@${engine.version(d)}`).join(',')}`;
  const settledCache = settledCacheOf(engine);
  let hit = settledCache.get(key);
  if (hit === undefined) {
    let max = 0;
    for (const d of settled) for (const u of usersOf(d)) if (u > max) max = u;
    const seen = new Uint8Array(max + 1);
    let n = 0;
    for (const d of settled) {
      const users = usersOf(d);
      for (let i = 0; i < users.length; i++) {
        const u = users[i]!;
        if (seen[u] === 0) {
          seen[u] = 1;
          n++;
        }
      }
    }
    if (settledCache.size >= 64) settledCache.delete(settledCache.keys().next().value!);
    settledCache.set(key, (hit = { seen, n }));
  }
  let n = hit.n;
  liveMarker.reset();
  for (const d of live) {
    const users = usersOf(d);
    for (let i = 0; i < users.length; i++) {
      const u = users[i]!;
      if ((u >= hit.seen.length || hit.seen[u] === 0) && liveMarker.add(u)) n++;
    }
  }
  return n;
}

/** `GET /api/analytics/usage`: the N calendar days ending today, definitions in docs/metrics.md. */
export function usage(engine: Engine, today: string, periodDays: number, seg: Segment, nowIso: string, limit = DEFAULT_LIMIT): UsageAnswer {
  const from = addDays(today, -(periodDays - 1));
  const figures = new Map<string, ReturnType<typeof dayFigures>>();
  for (const day of engine.daysWithData(from, today)) {
    const f = dayFigures(engine, engine.view(day)!, seg);
    if (f.events > 0) figures.set(day, f);
  }
  const days = [...figures.keys()];
  const usersOf = (d: string) => figures.get(d)!.users();
  let dauSum = 0;
  let total = 0;
  const types = new Map<number, number>();
  const features = new Map<number, number>();
  const weeks = new Map<string, string[]>();
  for (const [day, f] of figures) {
    dauSum += f.userCount;
    total += f.events;
    for (const [k, v] of f.byType) types.set(k, (types.get(k) ?? 0) + v);
    for (const [k, v] of f.byFeature) features.set(k, (features.get(k) ?? 0) + v);
    const w = weekStart(day);
    const list = weeks.get(w);
    if (list) list.push(day);
    else weeks.set(w, [day]);
  }
  let wauSum = 0;
  const weekCache = weekCacheOf(engine);
  const segKey = seg.pairs.map((p) => p.join('=')).join('&');
  for (const list of weeks.values()) {
    if (seg.empty) {
      // The engine caches each week's union under its days' versions (and warms them at start).
      wauSum += engine.distinct(list);
      continue;
    }
    // A closed week's distinct count is cached under its days' versions; only a changed week is re-unioned.
    const key = `${segKey}|${list.map((d) => `${d}@${engine.version(d)}`).join(',')}`;
    let n = weekCache.get(key);
    if (n === undefined) {
      n = distinctUsers(list, usersOf);
      if (weekCache.size > 10_000) weekCache.clear();
      weekCache.set(key, n);
    }
    wauSum += n;
  }
  // Unfiltered, the window ends today: the users last seen on or after `from` are exactly its users.
  // (An event up to 10 min in the future may sit on tomorrow: then the histogram would overcount.)
  const fast = seg.empty && engine.daysWithData(addDays(today, 1), '9999-12-31').length === 0;
  const mau = fast ? engine.seen.activeSince(dayNumber(from)) : windowUsers(engine, segKey, days, usersOf);
  const byType = (name: string) => {
    const id = engine.dict.find(name);
    return id === undefined ? 0 : (types.get(id) ?? 0);
  };
  const featureUsage = topN(
    [...features].map(([id, events]) => ({ feature: engine.dict.value(id)!, events })),
    (x) => x.feature,
    limit,
  );
  return {
    ok: true,
    ts: nowIso,
    period_days: periodDays,
    dau: days.length === 0 ? 0 : round1(dauSum / days.length),
    wau: weeks.size === 0 ? 0 : round1(wauSum / weeks.size),
    mau,
    feature_usage: featureUsage.top,
    feature_usage_omitted: featureUsage.omitted,
    funnel_steps: { page_view: byType('page_view'), action: byType('action'), conversion: byType('conversion') },
    total_events: total,
    unique_days: days.length,
    unique_weeks: weeks.size,
  };
}
