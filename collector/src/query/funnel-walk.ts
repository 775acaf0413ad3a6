import type { StepView } from '../rollup/index.js';

// The funnel walk itself (ClickHouse's `windowFunnel`, day by day over the funnel index's lists):
// run on the main thread (live days, and when the walker is unavailable) and in the funnel
// walker's thread (funnel-walker-body.ts) alike, so both give the same answers by construction.

/** A small LRU bounded by bytes (decoded step lists, walk states). */
export function lru<T>(budget: number, bytesOf: (v: T) => number) {
  const m = new Map<string, T>();
  let bytes = 0;
  return {
    get(k: string): T | undefined {
      const v = m.get(k);
      if (v !== undefined) {
        m.delete(k);
        m.set(k, v);
      }
      return v;
    },
    set(k: string, v: T): void {
      const old = m.get(k);
      if (old !== undefined) {
        bytes -= bytesOf(old);
        m.delete(k);
      }
      m.set(k, v);
      bytes += bytesOf(v);
      while (bytes > budget && m.size > 1) {
        const [k0, v0] = m.entries().next().value!;
        m.delete(k0);
        bytes -= bytesOf(v0);
      }
    },
  };
}

/**
 * Per user: the highest level reached (`level`, 0..n) and, for k < n − 1, the start time of the
 * latest-starting chain that reached level k + 1 (`start`, meaningful only where `level` > k). That is all of
 * ClickHouse's `windowFunnel` state: a later start never hurts (its window ends later), so
 * only the latest one per level matters.
 */
export interface WalkState {
  n: number;
  level: Uint8Array;
  start: Float64Array;
  reached: number[];
}

export const stateBytes = (s: WalkState) => s.level.byteLength + s.start.byteLength + 64;

export function newState(n: number, size: number): WalkState {
  // `start` is left zeroed (no pass over megabytes of it): an entry counts only once `level` says set.
  return { n, level: new Uint8Array(size), start: new Float64Array(size * (n - 1)), reached: new Array<number>(n).fill(0) };
}

export function grownCopy(s: WalkState, size: number): WalkState {
  const c = newState(s.n, Math.max(size, s.level.length));
  c.level.set(s.level);
  c.start.set(s.start);
  c.reached = [...s.reached];
  return c;
}

export function maxUserOf(perDay: StepView[][]): number {
  let max = -1;
  for (const day of perDay) for (const s of day) if (s.users.length > 0) max = Math.max(max, s.users[s.users.length - 1]!);
  return max;
}

/** Per list of a day: 1 where a local segment passes the filter (undefined: no filter). */
export type Allowed = (Uint8Array | undefined)[];

/** First index in [j, end) whose segment passes, or `end`. */
function nextAllowed(s: StepView, ok: Uint8Array | undefined, j: number, end: number): number {
  if (ok !== undefined) while (j < end && ok[s.local[j]!] === 0) j++;
  return j;
}

/**
 * One day of the walk. Each user's step events of the day are taken in (time, step) order — the
 * order ClickHouse sorts its events in, so an event at the same instant as the previous step (or
 * matching both) still counts — and each event updates the state exactly as `windowFunnel` does.
 * The lists are read in place: a time is `base + t[j]`, user i's times follow user i − 1's.
 *
 * Most users of a day are in the first step's list only (page views dwarf the later steps): they
 * run through a tight loop over that list alone, and only the users of the later lists take the
 * general merge. That split took the walk of a broad 90-day funnel from ≈ 80 ns to ≈ 15 ns a user.
 */
export function walkDay(st: WalkState, day: StepView[], withinMs: number, allowed: Allowed): void {
  const { n, level, start } = st;
  const S = n - 1;
  // The first list's arrays and cursor (user index i0, time index p0) as locals: the hot loop.
  const first = day[0]!;
  const users0 = first.users;
  const counts0 = first.counts;
  const t0 = first.t;
  const local0 = first.local;
  const base0 = first.base;
  const ok0 = allowed[0];
  const n0 = users0.length;
  let i0 = 0;
  let p0 = 0;
  let reached0 = 0;
  // The later lists, merged by user: each one's next user (Infinity when done).
  const users = day.map((s) => s.users);
  const counts = day.map((s) => s.counts);
  const times = day.map((s) => s.t);
  const bases = Float64Array.from(day, (s) => s.base);
  const ptr = new Int32Array(n);
  const pos = new Int32Array(n);
  const cur = new Int32Array(n);
  const end = new Int32Array(n);
  const next = new Float64Array(n);
  for (let k = 1; k < n; k++) next[k] = users[k]!.length > 0 ? users[k]![0]! : Infinity;
  for (;;) {
    let u = Infinity;
    for (let k = 1; k < n; k++) if (next[k]! < u) u = next[k]!;
    // Users before `u` have first-step events only today: the latest allowed one is the start to keep.
    while (i0 < n0) {
      const v = users0[i0]!;
      if (v >= u) break;
      const a = p0;
      p0 += counts0[i0++]!;
      const L0 = level[v]!;
      if (L0 === n) continue;
      let j = p0 - 1;
      if (ok0 !== undefined) while (j >= a && ok0[local0[j]!] === 0) j--;
      if (j < a) continue;
      start[v * S] = base0 + t0[j]!;
      if (L0 === 0) {
        level[v] = 1;
        reached0++;
      }
    }
    if (u === Infinity) break;
    // User `u` has later-step events today (and maybe first-step ones): the general merge.
    let present = 0;
    let only = 0;
    if (i0 < n0 && users0[i0] === u) {
      cur[0] = p0;
      end[0] = p0 += counts0[i0++]!;
      present++;
    } else cur[0] = end[0] = 0;
    for (let k = 1; k < n; k++) {
      if (next[k] === u) {
        const p = ptr[k]!;
        const us = users[k]!;
        const c = pos[k]!;
        cur[k] = c;
        end[k] = pos[k] = c + counts[k]![p]!;
        ptr[k] = p + 1;
        next[k] = p + 1 < us.length ? us[p + 1]! : Infinity;
        present++;
        only = k;
      } else cur[k] = end[k] = 0;
    }
    const L0 = level[u]!;
    if (L0 === n) continue;
    let L = L0;
    const b = u * S;
    if (present === 1) {
      // Only one later step today: the start it can extend does not change, so its earliest
      // (allowed) time decides.
      if (L < only) continue;
      const s = day[only]!;
      const j = nextAllowed(s, allowed[only], cur[only]!, end[only]!);
      if (j === end[only]! || s.base + s.t[j]! > start[b + only - 1]! + withinMs) continue;
      if (only === S) L = n;
      else {
        start[b + only] = start[b + only - 1]!;
        if (L < only + 1) L = only + 1;
      }
    } else {
      for (;;) {
        let k = -1;
        let t = Infinity;
        for (let x = 0; x < n; x++) {
          if (cur[x]! < end[x]!) {
            const tx = bases[x]! + times[x]![cur[x]!]!;
            if (tx < t) {
              t = tx;
              k = x;
            }
          }
        }
        if (k === -1) break;
        const s = day[k]!;
        const ok = allowed[k];
        const j = cur[k]!++;
        if (ok !== undefined && ok[s.local[j]!] === 0) continue;
        if (k === 0) {
          start[b] = t;
          if (L < 1) L = 1;
          continue;
        }
        // No chain reached step k yet: nothing to extend (start[b + k − 1] is unset).
        if (L < k) continue;
        const s0 = start[b + k - 1]!;
        if (t > s0 + withinMs) continue;
        if (k === S) {
          L = n;
          break;
        }
        start[b + k] = s0;
        if (L < k + 1) L = k + 1;
      }
    }
    if (L > L0) {
      for (let j = L0; j < L; j++) st.reached[j]!++;
      level[u] = L;
    }
  }
  st.reached[0]! += reached0;
}
