import {
  createStepLog,
  type DayView,
  DIM_INDEX,
  EMPTY_VIEW,
  type Engine,
  mergeViews,
  segmentOf,
  sharedStepReader,
  type StepLog,
  type StepReader,
  type StepRequest,
  type StepView,
  viewOf,
  viewStep,
} from '../rollup/index.js';
import type { Segment } from './segment.js';
import { perEngine } from './per-engine.js';
import { type FunnelWalker, sharedFunnelWalker } from './funnel-walker.js';
import { type Allowed, grownCopy, lru, maxUserOf, newState, stateBytes, walkDay, type WalkState } from './funnel-walk.js';

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

/** A step as funnel-index keys, after the segment's event_type/feature filters; null = no event can match. */
type Key = { type: number; feature: number } | null;

const ratio = (a: number, b: number) => (b === 0 ? null : Math.round((a / b) * 10_000) / 10_000);

// Lists per (day, version, key), as views on their BLOBs, for the funnels walked here (days with
// live events; all days when the walker's thread is not there): a repeated funnel with another
// window or range reads no BLOB.
const listsOf = perEngine(() => lru<{ v: number; s: StepView }>(128 * 1024 * 1024, (x) => x.s.bytes + 64));
// Days rolled up before the exact index (migration 6) are read through their rows' first times.
const fallbacksOf = perEngine(() => lru<{ v: number; log: StepLog }>(64 * 1024 * 1024, (x) => x.log.size * 24));

/**
 * Reads ahead, in the step reader's worker, the lists of `days` that are not cached and that it
 * can read as stored (a settled day, with every part's list when late events were appended to it):
 * one message per day, all sent at once, so the worker reads the next days while the main thread
 * walks the ones before. `take(i)` waits for day i's lists and puts them in the list cache (where
 * `stepList` then finds them) — unless the day changed meanwhile or the worker failed: `stepList`
 * reads those itself.
 */
function readAhead(engine: Engine, reader: StepReader, keys: Key[], days: string[]): (i: number) => Promise<void> {
  const lists = listsOf(engine);
  const plans = days.map((d) => {
    const m = engine.store.meta.get(d);
    if (m === undefined || !m.steps || engine.live.has(d)) return undefined;
    const v = engine.version(d);
    const parts = m.head.keys;
    const wanted: string[] = [];
    const reqs: StepRequest[] = [];
    for (const k of keys) {
      if (k === null) continue;
      const ck = `${d}|${k.type}:${k.feature}`;
      if (lists.get(ck)?.v === v) continue;
      wanted.push(ck);
      for (const key of parts) reqs.push({ key, type: k.type, feature: k.feature });
    }
    if (wanted.length === 0) return undefined;
    return { v, wanted, parts: parts.length, out: reader.read(engine.store.file, reqs) };
  });
  return async (i) => {
    const p = plans[i];
    if (p === undefined) return;
    const out = await p.out;
    if (out === undefined || engine.version(days[i]!) !== p.v) return;
    p.wanted.forEach((ck, w) => {
      // null: no such row (nobody did the step in that part, or the key was collected since).
      const views = out.slice(w * p.parts, (w + 1) * p.parts).flatMap((b) => (b === null || b === undefined ? [] : [viewStep(new Uint8Array(b.blob), b.uc)]));
      // None at all: `stepList` decides (an empty list, or a day rewritten meanwhile).
      if (views.length > 0) lists.set(ck, { v: p.v, s: views.reduce((a, b) => mergeViews(a, b)) });
    });
  };
}

function stepList(engine: Engine, view: DayView, key: Key): StepView {
  if (key === null) return EMPTY_VIEW;
  const v = engine.version(view.day);
  const ck = `${view.day}|${key.type}:${key.feature}`;
  const lists = listsOf(engine);
  const hit = lists.get(ck);
  if (hit !== undefined && hit.v === v) return hit.s;
  let s = view.steps(key.type, key.feature);
  if (s === undefined) {
    const fallbacks = fallbacksOf(engine);
    let fb = fallbacks.get(view.day);
    if (fb === undefined || fb.v !== v) {
      const log = createStepLog();
      for (const rows of view.rowSets()) log.addRows(rows);
      fallbacks.set(view.day, (fb = { v, log }));
    }
    s = viewOf(fb.log.entry(key.type, key.feature));
  }
  lists.set(ck, { v, s });
  return s;
}

// The walker's caches outlive an engine (one worker per process): its lists are keyed by this too.
let engineSeq = 0;
const engineIdOf = perEngine(() => ++engineSeq);

/**
 * The state after the settled days `prefix`, walked in the funnel walker's thread over lists the
 * step reader's thread sends it; undefined when either is not ready, a day has no exact index
 * (its rows are read here), or a day changed meanwhile: the caller walks in-process then.
 */
async function walkElsewhere(engine: Engine, reader: StepReader, walker: FunnelWalker, keys: Key[], withinMs: number, others: [number, number][], prefix: string[]): Promise<WalkState | undefined> {
  // Nothing settled (every day has live events): nothing to walk there.
  if (prefix.length === 0) return undefined;
  const days: { day: string; v: number; parts: string[] }[] = [];
  for (const day of prefix) {
    const m = engine.store.meta.get(day);
    if (m === undefined || !m.steps || engine.live.has(day)) return undefined;
    days.push({ day, v: engine.version(day), parts: m.head.keys });
  }
  const st = await walker.walk(reader, { file: engine.store.file, engine: engineIdOf(engine), keys, withinMs, others, size: engine.seen.size, days });
  if (st === undefined || days.some((d) => engine.version(d.day) !== d.v)) return undefined;
  return st;
}

// The state after the days before the first one with live events (keyed by their versions):
// a repeated funnel then walks only the live days on top of a copy of it.
const prefixStatesOf = perEngine(() => lru<WalkState>(256 * 1024 * 1024, stateBytes));

/**
 * Ordered funnel over the days `from`..`to`, exactly ClickHouse's `windowFunnel(within)` in its
 * default mode per user: the highest k such that the user has events e1..ek matching steps 1..k,
 * with times non-decreasing and each within `withinMs` of e1 (all inside the range). Days are
 * walked in order with a small state per user; the cost is the size of the steps' daily lists.
 */
export async function funnel(engine: Engine, steps: FunnelStep[], withinMs: number, from: string, to: string, seg: Segment, reader: StepReader = sharedStepReader(), walker: FunnelWalker = sharedFunnelWalker()): Promise<FunnelRow[]> {
  const n = steps.length;
  let reached = new Array<number>(n).fill(0);
  if (!seg.none) {
    const T = DIM_INDEX.event_type;
    const F = DIM_INDEX.feature;
    const typeFilter = seg.pairs.find(([d]) => d === T)?.[1];
    const featureFilter = seg.pairs.find(([d]) => d === F)?.[1];
    // event_type and feature filters narrow the steps' own keys; the others filter each time.
    const keys: Key[] = steps.map((s) => {
      const type = engine.dict.find(s.event_type);
      let feature = s.feature === undefined ? 0 : engine.dict.find(s.feature);
      if (type === undefined || feature === undefined) return null;
      if (typeFilter !== undefined && type !== typeFilter) return null;
      if (featureFilter !== undefined) {
        if (feature === 0) feature = featureFilter;
        else if (feature !== featureFilter) return null;
      }
      return { type, feature };
    });
    const others = seg.pairs.filter(([d]) => d !== T && d !== F);
    const slot = (d: number) => (d === DIM_INDEX.app ? 0 : d === DIM_INDEX.platform ? 1 : 2);
    const okCache: boolean[] = [];
    const ok = (sg: number) => {
      let r = okCache[sg];
      if (r === undefined) {
        const triple = segmentOf(sg);
        okCache[sg] = r = others.every(([d, id]) => triple[slot(d)] === id);
      }
      return r;
    };
    const allowedOf = (day: StepView[]): Allowed =>
      others.length === 0 ? day.map(() => undefined) : day.map((s) => Uint8Array.from(s.segs, (sg) => (ok(sg) ? 1 : 0)));
    // Day by day: only one day's lists are held at a time (the cache keeps what fits).
    const walk = async (st: WalkState, ds: string[], ahead?: (i: number) => Promise<void>): Promise<WalkState> => {
      for (let i = 0; i < ds.length; i++) {
        await ahead?.(i);
        const d = ds[i]!;
        const day = keys.map((k) => stepList(engine, engine.view(d)!, k));
        const max = maxUserOf([day]);
        if (max >= st.level.length) st = grownCopy(st, Math.max(max + 1, Math.ceil(st.level.length * 1.5)));
        walkDay(st, day, withinMs, allowedOf(day));
      }
      return st;
    };
    const days = engine.daysWithData(from, to);
    let settled = 0;
    while (settled < days.length && !engine.live.has(days[settled]!)) settled++;
    const prefix = days.slice(0, settled);
    const id = `${keys.map((k) => (k === null ? '-' : `${k.type}:${k.feature}`)).join(',')}|${withinMs}|${others.map((q) => q.join('=')).join('&')}`;
    const key = `${id}|${prefix.map((d) => `${d}@${engine.version(d)}`).join(',')}`;
    const prefixStates = prefixStatesOf(engine);
    let base = prefixStates.get(key);
    if (base === undefined) {
      base = await walkElsewhere(engine, reader, walker, keys, withinMs, others.map(([d, v]) => [slot(d), v]), prefix);
      // Sized for every user known (grown if a list holds a newer one): one allocation, not a dozen.
      base ??= await walk(newState(n, engine.seen.size), prefix, readAhead(engine, reader, keys, prefix));
      prefixStates.set(key, base);
    }
    // The live days walk on a copy: the cached prefix state stays as it was.
    reached = settled === days.length ? [...base.reached] : (await walk(grownCopy(base, base.level.length), days.slice(settled))).reached;
  }
  return steps.map((s, k) => ({
    step: s.feature === undefined ? s.event_type : `${s.event_type}:${s.feature}`,
    users: reached[k]!,
    conversion_from_previous: k === 0 ? null : ratio(reached[k]!, reached[k - 1]!),
    conversion_from_first: k === 0 ? null : ratio(reached[k]!, reached[0]!),
  }));
}
