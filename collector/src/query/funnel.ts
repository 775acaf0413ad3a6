import { DIM_INDEX, NO_USER } from '../rollup/cube.js';
import type { Engine } from '../rollup/engine.js';
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

const ratio = (a: number, b: number) => (b === 0 ? null : Math.round((a / b) * 10_000) / 10_000);

/**
 * Ordered funnel over the days `from`..`to`. A user's journey starts at their first step-1 time in
 * the range; step k counts when it happens at or after step k−1 and within `withinMs` of step 1.
 * Step times come from the rollup's per-row first times, i.e. each step's first occurrence per day
 * (see docs/metrics.md for what that means for repeats within one day).
 */
export function funnel(engine: Engine, steps: FunnelStep[], withinMs: number, from: string, to: string, seg: Segment): FunnelRow[] {
  const T = DIM_INDEX.event_type;
  const F = DIM_INDEX.feature;
  const ids = steps.map((s) => ({
    type: engine.dict.find(s.event_type),
    feature: s.feature === undefined ? 0 : engine.dict.find(s.feature),
  }));
  const times = steps.map(() => new Map<number, number[]>());
  if (!seg.none) {
    for (const day of engine.daysWithData(from, to)) {
      const firsts = steps.map(() => new Map<number, number>());
      for (const rows of engine.view(day)!.rowSets()) {
        for (let r = 0; r < rows.n; r++) {
          const u = rows.user[r]!;
          if (u === NO_USER || !rowMatches(rows, r, seg)) continue;
          const t = rows.dims[T]![r]!;
          for (let k = 0; k < ids.length; k++) {
            const s = ids[k]!;
            if (s.type !== t || s.feature === undefined || (s.feature !== 0 && s.feature !== rows.dims[F]![r])) continue;
            const m = firsts[k]!;
            const cur = m.get(u);
            const ms = rows.first[r]!;
            if (cur === undefined || ms < cur) m.set(u, ms);
          }
        }
      }
      // Days run in order, so each user's list stays sorted.
      firsts.forEach((m, k) => {
        for (const [u, ms] of m) {
          const list = times[k]!.get(u);
          if (list) list.push(ms);
          else times[k]!.set(u, [ms]);
        }
      });
    }
  }
  const reached = new Array<number>(steps.length).fill(0);
  for (const [u, starts] of times[0]!) {
    const t1 = starts[0]!;
    let prev = t1;
    reached[0]!++;
    for (let k = 1; k < steps.length; k++) {
      const next = times[k]!.get(u)?.find((t) => t >= prev && t - t1 <= withinMs);
      if (next === undefined) break;
      prev = next;
      reached[k]!++;
    }
  }
  return steps.map((s, k) => ({
    step: s.feature === undefined ? s.event_type : `${s.event_type}:${s.feature}`,
    users: reached[k]!,
    conversion_from_previous: k === 0 ? null : ratio(reached[k]!, reached[k - 1]!),
    conversion_from_first: k === 0 ? null : ratio(reached[k]!, reached[0]!),
  }));
}
