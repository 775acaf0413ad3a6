import type { Engine } from '../rollup/index.js';
import { dayFromNumber, dayNumber } from '../shared/index.js';
import { dayFigures, type Segment } from './segment.js';

export interface Cohort {
  cohort: string;
  size: number;
  /** Users of the cohort active in period 0 (= size), 1, 2, ... ; null for periods not begun yet. */
  active: (number | null)[];
  /** `active[k] / size`, rounded to 4 decimals. */
  retention: (number | null)[];
}

// Day 0 (1970-01-01) was a Thursday: n − (n + 3) mod 7 is the Monday of n's ISO week.
const mondayOf = (n: number) => n - ((((n + 3) % 7) + 7) % 7);

/**
 * The default `from` for a range ending `to`: the start of the period `periods − 1` periods
 * before the one holding `to`, so the default range holds exactly `periods` cohorts.
 */
export function defaultCohortFrom(cohort: 'day' | 'week', periods: number, to: string): string {
  const n = dayNumber(to);
  return dayFromNumber(cohort === 'day' ? n - (periods - 1) : mondayOf(n) - 7 * (periods - 1));
}

/**
 * Cohorts by first-seen period (the first day or ISO week the user was active — matching the
 * segment — in all the data kept, not only inside the range) for periods starting `from`..`to`.
 */
export function retention(engine: Engine, cohort: 'day' | 'week', periods: number, from: string, to: string, today: string, seg: Segment): Cohort[] {
  const len = cohort === 'day' ? 1 : 7;
  const periodOf = (n: number) => (cohort === 'day' ? n : mondayOf(n));
  // Cohorts are the periods that *start* inside from..to: a week that began before `from` is not
  // one, even though `from` falls in it (its users may have been first seen before the range).
  const f = dayNumber(from);
  const first = periodOf(f) === f ? f : periodOf(f) + len;
  const last = periodOf(dayNumber(to));
  if (first > last) return [];
  const end = Math.min(last + periods * len + len - 1, dayNumber(today));
  const usersOf = (d: string) => {
    const v = engine.view(d);
    return v === undefined ? undefined : dayFigures(engine, v, seg).users();
  };

  let firstDays: Int32Array;
  if (seg.empty) {
    firstDays = engine.seen.firstDays();
  } else {
    const seenDays = engine.daysWithData('0000-01-01', dayFromNumber(end));
    let max = 0;
    for (const d of seenDays) for (const u of usersOf(d) ?? []) if (u > max) max = u;
    firstDays = new Int32Array(max + 1).fill(-1);
    for (const d of seenDays) {
      const n = dayNumber(d);
      for (const u of usersOf(d) ?? []) if (firstDays[u] === -1) firstDays[u] = n;
    }
  }

  const nCohorts = (last - first) / len + 1;
  const P = periods + 1;
  const flat = new Float64Array(nCohorts * P);
  // Cohort index of every user first seen in the range (−1 = none), computed once per query so
  // the inner loop below is two array reads and an increment per (user, active day).
  const lo = first;
  const hi = last + len - 1;
  const cohortOf = new Int32Array(firstDays.length);
  for (let u = 0; u < firstDays.length; u++) {
    const f = firstDays[u]!;
    cohortOf[u] = f < lo || f > hi ? -1 : (periodOf(f) - first) / len;
  }
  // A day's set is already distinct; only weeks need a stamp per user to count each once.
  const mark = len > 1 ? new Uint32Array(firstDays.length) : undefined;
  const byPeriod = new Map<number, string[]>();
  for (const d of engine.daysWithData(dayFromNumber(first), dayFromNumber(end))) {
    const pi = (periodOf(dayNumber(d)) - first) / len;
    const list = byPeriod.get(pi);
    if (list) list.push(d);
    else byPeriod.set(pi, [d]);
  }
  for (const [pi, days] of byPeriod) {
    for (const d of days) {
      const users = usersOf(d);
      if (users === undefined) continue;
      for (let j = 0; j < users.length; j++) {
        const u = users[j]!;
        if (u >= cohortOf.length) continue;
        const c = cohortOf[u]!;
        if (c < 0) continue;
        const k = pi - c;
        if (k < 0 || k > periods) continue;
        if (mark !== undefined) {
          if (mark[u] === pi + 1) continue;
          mark[u] = pi + 1;
        }
        flat[c * P + k]!++;
      }
    }
  }
  const counts = Array.from({ length: nCohorts }, (_, c) => Array.from(flat.subarray(c * P, c * P + P)));
  const todayNum = dayNumber(today);
  return counts.map((row, i) => {
    const start = first + i * len;
    const size = row[0]!;
    const active = row.map((n, k) => (start + k * len > todayNum ? null : n));
    return {
      cohort: dayFromNumber(start),
      size,
      active,
      retention: active.map((n) => (n === null ? null : size === 0 ? 0 : Math.round((n / size) * 10_000) / 10_000)),
    };
  });
}
