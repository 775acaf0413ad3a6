import { DIM_INDEX, NO_USER, type Dim } from '../rollup/cube.js';
import type { Engine } from '../rollup/engine.js';
import { dayRange, weekStart } from '../rollup/time.js';
import { dayFigures, rowMatches, type Segment } from './segment.js';
import { distinctUsers } from './usage.js';
import { DEFAULT_LIMIT, topN, type Omitted } from './top.js';

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

/**
 * Events and distinct users per value of one dimension over the days `from`..`to`: the `limit`
 * values with most events (ties by value, missing last). Two passes, so distinct users are only
 * ever collected for the values listed: a dimension with a million values costs a counter each,
 * not a user set each.
 */
export function breakdown(engine: Engine, by: Dim, from: string, to: string, seg: Segment, limit = DEFAULT_LIMIT): { rows: BreakdownRow[]; omitted: Omitted } {
  if (seg.none) return { rows: [], omitted: { values: 0, events: 0 } };
  const d = DIM_INDEX[by];
  const days = engine.daysWithData(from, to);
  const events = new Map<number, number>();
  for (const day of days) {
    for (const rows of engine.view(day)!.rowSets()) {
      const col = rows.dims[d]!;
      for (let r = 0; r < rows.n; r++) {
        if (!rowMatches(rows, r, seg)) continue;
        const id = col[r]!;
        events.set(id, (events.get(id) ?? 0) + rows.count[r]!);
      }
    }
  }
  const nameOf = (id: number) => (id === 0 ? null : (engine.dict.value(id) ?? null));
  const { top, omitted } = topN([...events].map(([id, n]) => ({ id, value: nameOf(id), events: n })), (x) => x.value, limit);
  const users = new Map<number, Set<number>>(top.map((x) => [x.id, new Set<number>()]));
  for (const day of days) {
    for (const rows of engine.view(day)!.rowSets()) {
      const col = rows.dims[d]!;
      for (let r = 0; r < rows.n; r++) {
        const set = users.get(col[r]!);
        if (set === undefined || !rowMatches(rows, r, seg)) continue;
        const u = rows.user[r]!;
        if (u !== NO_USER) set.add(u);
      }
    }
  }
  return { rows: top.map((x) => ({ value: x.value, events: x.events, users: users.get(x.id)!.size })), omitted };
}
