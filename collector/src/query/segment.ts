import { createMarker, type DayView, type Dim, DIM_INDEX, DIMS, type Engine, type Marker, NO_USER, type RowSet } from '../rollup/index.js';
import { perEngine } from './per-engine.js';

export { createMarker, type Marker };

/** Every breakdown dimension filters too, so a click on any breakdown row can narrow the view. */
export const SEGMENT_DIMS = DIMS satisfies readonly Dim[];

/** Equality filters on dictionary ids; `none` when a value was never seen (nothing can match). */
export interface Segment {
  pairs: [number, number][];
  none: boolean;
  /** True when no filter is set: the fast paths apply. */
  empty: boolean;
}

export function resolveSegment(engine: Engine, values: Partial<Record<Dim, string>>): Segment {
  const pairs: [number, number][] = [];
  let none = false;
  for (const [dim, value] of Object.entries(values) as [Dim, string | undefined][]) {
    if (value === undefined) continue;
    const id = engine.dict.find(value);
    if (id === undefined) none = true;
    else pairs.push([DIM_INDEX[dim], id]);
  }
  return { pairs, none, empty: pairs.length === 0 && !none };
}

export function rowMatches(rows: RowSet, r: number, seg: Segment): boolean {
  for (const [d, id] of seg.pairs) if (rows.dims[d]![r] !== id) return false;
  return true;
}

/** A day's events and distinct users under a segment (the slow path when filters are set). */
export interface DayFigures {
  events: number;
  userCount: number;
  users(): Uint32Array;
  byType: Map<number, number>;
  byFeature: Map<number, number>;
}

const marker = createMarker();
const figuresOf = perEngine(() => new Map<string, { v: number; f: DayFigures }>());

export function dayFigures(engine: Engine, view: DayView, seg: Segment): DayFigures {
  if (seg.empty) {
    // Fast path: the day's counters and user set are kept ready; no row is read.
    const s = view.summary();
    const byFeature = new Map(s.features);
    byFeature.delete(0);
    return { events: view.events, userCount: view.userCount(), users: () => view.users(), byType: s.types, byFeature };
  }
  const key = `${view.day}|${seg.none ? 'none' : seg.pairs.map((p) => p.join('=')).join('&')}`;
  const v = engine.version(view.day);
  const cache = figuresOf(engine);
  const hit = cache.get(key);
  if (hit && hit.v === v) return hit.f;
  let set = new Uint32Array(0);
  const f: DayFigures = { events: 0, userCount: 0, users: () => set, byType: new Map(), byFeature: new Map() };
  if (!seg.none) {
    const users: number[] = [];
    marker.reset();
    const T = DIM_INDEX.event_type;
    const F = DIM_INDEX.feature;
    for (const rows of view.rowSets()) {
      for (let r = 0; r < rows.n; r++) {
        if (!rowMatches(rows, r, seg)) continue;
        const c = rows.count[r]!;
        f.events += c;
        const t = rows.dims[T]![r]!;
        f.byType.set(t, (f.byType.get(t) ?? 0) + c);
        const ft = rows.dims[F]![r]!;
        if (ft !== 0) f.byFeature.set(ft, (f.byFeature.get(ft) ?? 0) + c);
        const u = rows.user[r]!;
        if (u !== NO_USER && marker.add(u)) users.push(u);
      }
    }
    set = Uint32Array.from(users);
    f.userCount = set.length;
  }
  if (cache.size > 4096) cache.clear();
  cache.set(key, { v, f });
  return f;
}

export { DIMS };
