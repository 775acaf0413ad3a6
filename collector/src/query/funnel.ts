import { DIM_INDEX, NO_USER } from '../rollup/cube.js';
import type { DayView, Engine } from '../rollup/engine.js';
import { EMPTY_STEP } from '../rollup/steps.js';
import { rowMatches, type Segment } from './segment.js';

export interface FunnelStep {
  event_type: string;
  feature?: string;
}

export interface FunnelRow {
  step: string;
  users: number;
  conversion_from_previous: number | null;
  conversion_from_first: number | null;
}

/** Users who did one step on one day, with the time of their first such event that day. */
interface StepDay {
  users: Uint32Array;
  first: Float64Array;
}

const ratio = (a: number, b: number) => (b === 0 ? null : Math.round((a / b) * 10_000) / 10_000);
const cache = new Map<string, { v: number; steps: StepDay[] }>();
const CACHE_ENTRIES = 512;

/** One pass over a day's rows gives every step's (user, first time) list; cached per day version. */
function stepDays(engine: Engine, view: DayView, ids: { type: number | undefined; feature: number | undefined }[], seg: Segment): StepDay[] {
  const key = `${view.day}|${ids.map((s) => `${s.type}:${s.feature}`).join(',')}|${seg.pairs.map((p) => p.join('=')).join('&')}`;
  const v = engine.version(view.day);
  const hit = cache.get(key);
  if (hit && hit.v === v) return hit.steps;
  if (seg.empty) {
    // The day's funnel index, written at rollup time: a few small reads, no row scan.
    const indexed = ids.map((s) => (s.type === undefined || s.feature === undefined ? EMPTY_STEP : view.steps(s.type, s.feature)));
    if (indexed.every((s) => s !== undefined)) return remember(key, v, indexed as StepDay[]);
  }
  const T = DIM_INDEX.event_type;
  const F = DIM_INDEX.feature;
  const acc = ids.map(() => new Map<number, number>());
  for (const rows of view.rowSets()) {
    const types = rows.dims[T]!;
    const feats = rows.dims[F]!;
    for (let r = 0; r < rows.n; r++) {
      const u = rows.user[r]!;
      if (u === NO_USER) continue;
      const t = types[r]!;
      for (let k = 0; k < ids.length; k++) {
        const s = ids[k]!;
        if (s.type !== t || s.feature === undefined || (s.feature !== 0 && s.feature !== feats[r])) continue;
        if (!seg.empty && !rowMatches(rows, r, seg)) break;
        const m = acc[k]!;
        const cur = m.get(u);
        const ms = rows.first[r]!;
        if (cur === undefined || ms < cur) m.set(u, ms);
      }
    }
  }
  return remember(key, v, acc.map((m) => ({ users: Uint32Array.from(m.keys()), first: Float64Array.from(m.values()) })));
}

function remember(key: string, v: number, steps: StepDay[]): StepDay[] {
  if (cache.size >= CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
  cache.set(key, { v, steps });
  return steps;
}

/**
 * Ordered funnel over the days `from`..`to`. A user's journey starts at their first step-1 time in
 * the range; step k counts when it happens at or after step k−1 and within `withinMs` of step 1.
 * Step times are each step's first occurrence per day (see docs/metrics.md). Days are walked in
 * order with a small state per user, so the cost is the size of the steps' daily user lists.
 */
export function funnel(engine: Engine, steps: FunnelStep[], withinMs: number, from: string, to: string, seg: Segment): FunnelRow[] {
  const ids = steps.map((s) => ({
    type: engine.dict.find(s.event_type),
    feature: s.feature === undefined ? 0 : engine.dict.find(s.feature),
  }));
  const n = steps.length;
  const reached = new Array<number>(n).fill(0);
  if (!seg.none) {
    const perDay = engine.daysWithData(from, to).map((d) => stepDays(engine, engine.view(d)!, ids, seg));
    let maxUser = 0;
    for (const day of perDay) for (const s of day) for (const u of s.users) if (u > maxUser) maxUser = u;
    const size = maxUser + 1;
    const level = new Uint8Array(size);
    const start = new Float64Array(size);
    const prev = new Float64Array(size);
    // Today's time of each step per user; `stamp` says which entries belong to the current day.
    const today = ids.map(() => new Float64Array(size));
    const stamp = ids.map(() => new Uint32Array(size));
    let gen = 0;
    for (const day of perDay) {
      gen++;
      day.forEach((s, k) => {
        for (let i = 0; i < s.users.length; i++) {
          const u = s.users[i]!;
          today[k]![u] = s.first[i]!;
          stamp[k]![u] = gen;
        }
      });
      const advance = (u: number) => {
        let l = level[u]!;
        if (l === 0) {
          if (stamp[0]![u] !== gen) return;
          start[u] = prev[u] = today[0]![u]!;
          l = 1;
        }
        while (l < n && stamp[l]![u] === gen) {
          const t = today[l]![u]!;
          if (t < prev[u]! || t - start[u]! > withinMs) break;
          prev[u] = t;
          l++;
        }
        level[u] = l;
      };
      for (const s of day) for (const u of s.users) advance(u);
    }
    for (let u = 0; u < size; u++) for (let k = 0; k < level[u]!; k++) reached[k]!++;
  }
  return steps.map((s, k) => ({
    step: s.feature === undefined ? s.event_type : `${s.event_type}:${s.feature}`,
    users: reached[k]!,
    conversion_from_previous: k === 0 ? null : ratio(reached[k]!, reached[k - 1]!),
    conversion_from_first: k === 0 ? null : ratio(reached[k]!, reached[0]!),
  }));
}
