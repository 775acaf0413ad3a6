import type { Engine } from '../rollup/index.js';
import { dayRange, weekStart } from '../shared/index.js';
import { dayFigures, type Segment } from './segment.js';
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
    const withData = days.filter((_, i) => figs[i] !== undefined);
    let value: number;
    if (metric === 'events') value = figs.reduce((s, f) => s + (f?.events ?? 0), 0);
    else if (withData.length <= 1) value = figs.find((f) => f !== undefined)?.userCount ?? 0;
    // Unfiltered weeks: the engine's union, cached under the days' versions (and warmed at start).
    else if (seg.empty) value = engine.distinct(withData);
    else value = distinctUsers(withData, (d) => figs[days.indexOf(d)]!.users());
    out.push({ period, value });
  }
  return out;
}
