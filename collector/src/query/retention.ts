import type { Engine } from '../rollup/engine.js';
import { dayFromNumber, dayNumber, weekStart } from '../rollup/time.js';
import { createMarker, dayFigures, type Segment } from './segment.js';

export interface Cohort {
  cohort: string;
  size: number;
  /** Users of the cohort active in period 0 (= size), 1, 2, ... ; null for periods not begun yet. */
  active: (number | null)[];
  /** `active[k] / size`, rounded to 4 decimals. */
  retention: (number | null)[];
}

const marker = createMarker();

/**
 * Cohorts by first-seen period (the first day or ISO week the user was active — matching the
 * segment — in all the data kept, not only inside the range) for periods starting `from`..`to`.
 */
export function retention(engine: Engine, cohort: 'day' | 'week', periods: number, from: string, to: string, today: string, seg: Segment): Cohort[] {
  const len = cohort === 'day' ? 1 : 7;
  const periodOf = (dayNum: number) => (cohort === 'day' ? dayNum : dayNumber(weekStart(dayFromNumber(dayNum))));
  const first = periodOf(dayNumber(from));
  const last = periodOf(dayNumber(to));
  const end = Math.min(last + periods * len + len - 1, dayNumber(today));
  const usersOf = (d: string) => {
    const v = engine.view(d);
    return v === undefined ? undefined : dayFigures(engine, v, seg).users;
  };

  let firstSeen: (u: number) => number;
  if (seg.empty) {
    firstSeen = (u) => engine.seen.first(u);
  } else {
    const fs = new Map<number, number>();
    for (const d of engine.daysWithData('0000-01-01', dayFromNumber(end))) {
      const n = dayNumber(d);
      for (const u of usersOf(d) ?? []) if (!fs.has(u)) fs.set(u, n);
    }
    firstSeen = (u) => fs.get(u) ?? -1;
  }

  const nCohorts = (last - first) / len + 1;
  const counts = Array.from({ length: nCohorts }, () => new Array<number>(periods + 1).fill(0));
  const days = engine.daysWithData(dayFromNumber(first), dayFromNumber(end));
  for (let p = first; p <= end; p += len) {
    marker.reset();
    for (const d of days) {
      const n = dayNumber(d);
      if (n < p || n >= p + len) continue;
      for (const u of usersOf(d) ?? []) {
        if (!marker.add(u)) continue;
        const c = periodOf(firstSeen(u));
        if (c < first || c > last) continue;
        const k = (p - c) / len;
        if (k >= 0 && k <= periods) counts[(c - first) / len]![k]!++;
      }
    }
  }
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
