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
  /** Users ascending (lists read from the funnel index). */
  sorted?: boolean;
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
    if (indexed.every((s) => s !== undefined)) return remember(key, v, indexed.map((s) => ({ ...s!, sorted: true })));
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

/** Per user: steps done, time of step 1, time of the last step done; and users per step. */
interface WalkState {
  level: Uint8Array;
  start: Float64Array;
  prev: Float64Array;
  reached: number[];
}

const prefixStates = new Map<string, WalkState>();
// 17 bytes per user each: 4 states of 1,000,000 users are 68 MB.
const PREFIX_STATES = 4;

const newState = (n: number, size: number): WalkState => ({
  level: new Uint8Array(size),
  start: new Float64Array(size),
  prev: new Float64Array(size),
  reached: new Array<number>(n).fill(0),
});

function copyState(s: WalkState, size: number): WalkState {
  const c = newState(s.reached.length, size);
  c.level.set(s.level);
  c.start.set(s.start);
  c.prev.set(s.prev);
  c.reached = [...s.reached];
  return c;
}

function maxUserOf(perDay: StepDay[][]): number {
  // Index lists are sorted (the max is the last id); lists built from live rows are not.
  let maxUser = 0;
  for (const day of perDay) {
    for (const s of day) {
      const us = s.users;
      if (us.length === 0) continue;
      if (s.sorted === true) maxUser = Math.max(maxUser, us[us.length - 1]!);
      else for (let i = 0; i < us.length; i++) if (us[i]! > maxUser) maxUser = us[i]!;
    }
  }
  return maxUser;
}

/**
 * Walks days in order, each day's step lists in step order, so a chain done within one day moves
 * a user several levels that day. level[u] = steps done; only the list of the step a user waits
 * for can move them.
 */
function walk(st: WalkState, perDay: StepDay[][], withinMs: number): void {
  const { level, start, prev, reached } = st;
  const n = reached.length;
  for (const day of perDay) {
    const s0 = day[0]!;
    for (let i = 0; i < s0.users.length; i++) {
      const u = s0.users[i]!;
      if (level[u] !== 0) continue;
      level[u] = 1;
      start[u] = prev[u] = s0.first[i]!;
      reached[0]!++;
    }
    for (let k = 1; k < n; k++) {
      const s = day[k]!;
      const us = s.users;
      const fs = s.first;
      for (let i = 0; i < us.length; i++) {
        const u = us[i]!;
        if (level[u] !== k) continue;
        const t = fs[i]!;
        if (t < prev[u]! || t - start[u]! > withinMs) continue;
        level[u] = k + 1;
        prev[u] = t;
        reached[k]!++;
      }
    }
  }
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
  let reached = new Array<number>(n).fill(0);
  if (!seg.none) {
    const days = engine.daysWithData(from, to);
    const lists = (ds: string[]) => ds.map((d) => stepDays(engine, engine.view(d)!, ids, seg));
    // The days before the first one with live events rarely change: the walk's state after them is
    // kept (per steps, window, filters and those days' versions), so a query walks only the live
    // days — today's — on top of a copy of it.
    let settled = 0;
    while (settled < days.length && !engine.live.has(days[settled]!)) settled++;
    const prefix = days.slice(0, settled);
    const key = `${ids.map((s) => `${s.type}:${s.feature}`).join(',')}|${withinMs}|${seg.pairs.map((q) => q.join('=')).join('&')}|${prefix.map((d) => `${d}@${engine.version(d)}`).join(',')}`;
    let base = prefixStates.get(key);
    if (base === undefined) {
      const perDay = lists(prefix);
      base = newState(n, maxUserOf(perDay) + 1);
      walk(base, perDay, withinMs);
      if (prefixStates.size >= PREFIX_STATES) prefixStates.delete(prefixStates.keys().next().value!);
      prefixStates.set(key, base);
    }
    if (settled === days.length) {
      reached = [...base.reached];
    } else {
      const perDay = lists(days.slice(settled));
      const state = copyState(base, Math.max(base.level.length, maxUserOf(perDay) + 1));
      walk(state, perDay, withinMs);
      reached = state.reached;
    }
  }
  return steps.map((s, k) => ({
    step: s.feature === undefined ? s.event_type : `${s.event_type}:${s.feature}`,
    users: reached[k]!,
    conversion_from_previous: k === 0 ? null : ratio(reached[k]!, reached[k - 1]!),
    conversion_from_first: k === 0 ? null : ratio(reached[k]!, reached[0]!),
  }));
}
