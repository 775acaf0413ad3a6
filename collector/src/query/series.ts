import { DIM_INDEX, NO_USER, type Dim } from '../rollup/cube.js';
import type { Engine } from '../rollup/engine.js';
import { dayRange, weekStart } from '../rollup/time.js';
import { dayFigures, rowMatches, type Segment } from './segment.js';
import { distinctUsers } from './usage.js';

export interface Point {
  period: string;
  value: number;
}

/** Active users or events per day or ISO week (labelled by its Monday); periods without data are 0. */
export function timeseries(engine: Engine, metric: 'active_users' | 'events', interval: 'day' | 'week', from: string, to: string, seg: Segment): Point[] {
  const fig = (d: string) => {
    const v = engine.view(d);
    return v === undefined ? undefined : dayFigures(engine, v, seg);
  };
  const groups = new Map<string, string[]>();
  for (const d of dayRange(from, to)) {
    const p = interval === 'day' ? d : weekStart(d);
    const list = groups.get(p);
    if (list) list.push(d);
    else groups.set(p, [d]);
  }
  const out: Point[] = [];
  for (const [period, days] of groups) {
    const figs = days.map(fig);
    const value =
      metric === 'events'
        ? figs.reduce((s, f) => s + (f?.events ?? 0), 0)
        : distinctUsers(
            days.filter((_, i) => figs[i] !== undefined),
            (d) => figs[days.indexOf(d)]!.users(),
          );
    out.push({ period, value });
  }
  return out;
}

export interface BreakdownRow {
  value: string | null;
  events: number;
  users: number;
}

/** Events and distinct users per value of one dimension over the days `from`..`to`. */
export function breakdown(engine: Engine, by: Dim, from: string, to: string, seg: Segment): BreakdownRow[] {
  if (seg.none) return [];
  const d = DIM_INDEX[by];
  const acc = new Map<number, { events: number; users: Set<number> }>();
  for (const day of engine.daysWithData(from, to)) {
    for (const rows of engine.view(day)!.rowSets()) {
      const col = rows.dims[d]!;
      for (let r = 0; r < rows.n; r++) {
        if (!rowMatches(rows, r, seg)) continue;
        const id = col[r]!;
        let a = acc.get(id);
        if (a === undefined) acc.set(id, (a = { events: 0, users: new Set() }));
        a.events += rows.count[r]!;
        const u = rows.user[r]!;
        if (u !== NO_USER) a.users.add(u);
      }
    }
  }
  return [...acc]
    .map(([id, a]) => ({ value: id === 0 ? null : (engine.dict.value(id) ?? null), events: a.events, users: a.users.size }))
    .sort((x, y) => y.events - x.events || (x.value === null ? 1 : y.value === null ? -1 : x.value < y.value ? -1 : x.value > y.value ? 1 : 0));
}
