import type { StoredEvent } from '@tally/protocol';
import { createCubeBuilder, DIMS, NO_USER, type CubeBuilder, type RowSet, type Summary } from './cube.js';
import type { Interner } from './dict.js';
import type { DayStore } from './store.js';
import { createStepLog, mergeTimes, segmentId, type StepLog } from './steps.js';
import { EMPTY_VIEW, viewOf, viewStep, type StepView } from './step-view.js';
import { mergeViews } from './step-merge.js';
import { dayMapper, dayNumber } from '../shared/index.js';
import { createSeen, type Seen } from './seen.js';
import { createAppIdSets, type AppIdSets } from './id-set.js';
import { createMarker } from './marker.js';
import { createDayValues, type DayValues } from './dims.js';
import type { Overflow, OverflowSink } from './overflow.js';
import { DEFAULT_APP } from '../ingest/index.js';
import { sortedHas } from './sorted.js';

/** A live (not yet persisted) slice of one day: events appended since its last rollup. */
export interface LiveDay {
  /** Replaced by its tail when a rollup persisted its sealed rows. */
  builder: CubeBuilder;
  /** Safety dedup on top of the log store's 48 h window: first stored wins within a build. */
  ids: AppIdSets;
  /** The day's distinct values per dimension, capped (dims.ts); seeded from the persisted day. */
  values: DayValues;
  /** Every step time of the slice (the funnel index of its events). */
  steps: StepLog;
  /** While a rollup persists the sealed rows: their step times (queries still read them here). */
  sealedSteps?: StepLog;
}

/** One day as queries see it: persisted rollup plus live overlay. */
export interface DayView {
  day: string;
  events: number;
  /** Distinct users of the day. */
  users(): Uint32Array;
  /** Their number, without loading the set when the day is only persisted. */
  userCount(): number;
  /** Events per event type and per feature. */
  summary(): Summary;
  rowSets(): RowSet[];
  /** One step's users of the day with all their times (feature 0 = any): the funnel index plus
   *  the live events; undefined when a rolled-up day has no index — read `rowSets()` then. */
  steps(type: number, feature: number): StepView | undefined;
}

export interface Engine {
  readonly store: DayStore;
  readonly users: Interner;
  readonly dict: Interner;
  readonly seen: Seen;
  readonly timeZone: string;
  live: Map<string, LiveDay>;
  /** receipt day → event day → events of that log file held only live. */
  liveReceipts: Map<string, Map<string, number>>;
  /** Adds events of log file `receiptDay` to the live overlay. */
  ingest(events: Iterable<StoredEvent>, receiptDay?: string): void;
  /** Adds one event of log file `receiptDay` to a standalone builder (rebuilds) through the engine's dictionaries. */
  addTo(builder: CubeBuilder, values: DayValues, e: StoredEvent, receiptDay: string, sink: OverflowSink, steps?: StepLog): void;
  /** Fresh capped value sets for a day (`initial`: what the day already holds). */
  dayValues(initial?: Uint32Array[]): DayValues;
  readonly overflow: Overflow;
  /** Calendar day (TALLY_TZ) of an event. */
  dayOf(e: StoredEvent): string;
  view(day: string): DayView | undefined;
  /** Days with data between from and to (both included), ascending. */
  daysWithData(from: string, to: string): string[];
  /** Bumped on every change of a day; caches key on it. */
  version(day: string): number;
  touch(day: string): void;
  /** Distinct users over these days (no filter); cached until one of the days changes. */
  distinct(days: string[]): number;
  /** Recomputes first/last-seen of every user from scratch (after rebuilds, erasure, purges). */
  recomputeSeen(): void;
  /**
   * The same in turns of the event loop (a year of a busy collector is tens of millions of user
   * ids): into a new table while the current one keeps answering, then swapped in with the live
   * overlay's users added (events that came in meanwhile). Callers run it in the rollup chain, so
   * no persisted day changes while it runs.
   */
  recomputeSeenInTurns(): Promise<void>;
}

/** User ids added to the seen table per turn of the event loop (a few ms). */
const SEEN_TURN = 200_000;

function addAll(seen: Seen, day: string, users: Uint32Array): void {
  const n = dayNumber(day);
  for (let i = 0; i < users.length; i++) seen.add(users[i]!, n);
}

export function createEngine(store: DayStore, users: Interner, dict: Interner, timeZone: string, overflow: Overflow, maxValuesPerDay: number): Engine {
  // Versions count per engine: every cache keyed on them belongs to this engine (query/per-engine.ts).
  let versionClock = 0;
  const live = new Map<string, LiveDay>();
  const liveReceipts = new Map<string, Map<string, number>>();
  const versions = new Map<string, number>();
  const base = ++versionClock;
  let seen = createSeen();
  const dims = new Uint32Array(DIMS.length);
  const usersCache = new Map<string, { v: number; users: Uint32Array }>();

  const dayValues = (initial?: Uint32Array[]) => createDayValues(dict, maxValuesPerDay, initial);
  const dayIn = dayMapper(timeZone);
  const dayOf = (e: StoredEvent) => dayIn(Date.parse(e.time));
  const touch = (day: string) => void versions.set(day, ++versionClock);

  function ingest(events: Iterable<StoredEvent>, receiptDay?: string): void {
    // Consecutive events mostly share their day and log file: keep the last lookups at hand.
    let lastR = '';
    let byDay: Map<string, number> | undefined;
    let lastDay = '';
    let l: LiveDay | undefined;
    let dayNum = 0;
    for (const e of events) {
      const ms = Date.parse(e.time);
      const day = dayIn(ms);
      // startsWith: no substring per event while the log file stays the same.
      if (byDay === undefined || (receiptDay === undefined ? !e.received_at.startsWith(lastR) : receiptDay !== lastR)) {
        const r = receiptDay ?? e.received_at.slice(0, 10);
        lastR = r;
        byDay = liveReceipts.get(r);
        if (byDay === undefined) liveReceipts.set(r, (byDay = new Map()));
      }
      byDay.set(day, (byDay.get(day) ?? 0) + 1);
      if (day !== lastDay || l === undefined) {
        if (l !== undefined) touch(lastDay);
        lastDay = day;
        l = live.get(day);
        if (l === undefined) live.set(day, (l = { builder: createCubeBuilder(), ids: createAppIdSets(), values: dayValues(store.values(day)), steps: createStepLog() }));
        dayNum = dayNumber(day);
      }
      if (!l.ids.add(e.app, e.event_id)) continue;
      const u = encode(e, l.values, lastR, day, overflow);
      l.builder.add(u, dims, ms);
      if (u !== NO_USER) {
        seen.add(u, dayNum);
        l.steps.add(u, dims[2]!, dims[3]!, ms, segmentId(dims[0]!, dims[1]!, dims[4]!));
      }
    }
    if (l !== undefined) touch(lastDay);
  }

  /** Fills `dims` with the event's dictionary ids (capped per day) and returns its user id. */
  function encode(e: StoredEvent, v: DayValues, receiptDay: string, day: string, sink: OverflowSink): number {
    const key = e.user_id ?? e.anonymous_id;
    const c = e.context;
    v.overflow = 0;
    dims[0] = v.admit(0, e.app);
    dims[1] = v.admit(1, c?.platform);
    dims[2] = v.admit(2, e.event_type);
    dims[3] = v.admit(3, e.feature);
    dims[4] = v.admit(4, c?.app_version);
    dims[5] = v.admit(5, e.url);
    dims[6] = v.admit(6, c?.browser);
    dims[7] = v.admit(7, c?.os);
    dims[8] = v.admit(8, c?.device_type);
    // Keyed by the app as counted (itself capped), so the counters stay bounded too.
    if (v.overflow !== 0) sink.note(receiptDay, day, dims[0] === 0 ? DEFAULT_APP : dict.value(dims[0])!, v.overflow);
    return key === undefined || key === '' ? NO_USER : users.id(key);
  }

  function view(day: string): DayView | undefined {
    const meta = store.meta.get(day);
    const l = live.get(day);
    if (meta === undefined && (l === undefined || l.builder.events === 0)) return undefined;
    const lv = l?.builder.view();
    return {
      day,
      events: (meta?.events ?? 0) + (lv?.events ?? 0),
      userCount() {
        if (meta === undefined) return lv!.users.length;
        if (lv === undefined || lv.users.length === 0) return meta.users;
        return this.users().length;
      },
      users() {
        if (meta === undefined) return lv!.users;
        const p = store.users(day)!;
        if (lv === undefined || lv.users.length === 0) return p;
        const v = versions.get(day) ?? base;
        const hit = usersCache.get(day);
        if (hit && hit.v === v) return hit.users;
        // Persisted ids are sorted: binary search keeps the merge linear in the overlay.
        const extra: number[] = [];
        for (const u of lv.users) if (!sortedHas(p, u)) extra.push(u);
        const merged = new Uint32Array(p.length + extra.length);
        merged.set(p);
        merged.set(extra, p.length);
        usersCache.set(day, { v, users: merged });
        return merged;
      },
      summary() {
        if (meta === undefined) return lv!.summary;
        if (lv === undefined) return meta.summary;
        const add = (a: Map<number, number>, b: Map<number, number>) => {
          const m = new Map(a);
          for (const [k, n] of b) m.set(k, (m.get(k) ?? 0) + n);
          return m;
        };
        return { types: add(meta.summary.types, lv.summary.types), features: add(meta.summary.features, lv.summary.features) };
      },
      steps(type, feature) {
        let ls = l !== undefined && l.steps.size > 0 ? l.steps.entry(type, feature) : undefined;
        const sealed = l?.sealedSteps;
        if (sealed !== undefined && sealed.size > 0) {
          const e = sealed.entry(type, feature);
          ls = ls === undefined ? e : mergeTimes(e, ls);
        }
        if (meta === undefined) return ls === undefined ? EMPTY_VIEW : viewOf(ls);
        const blobs = store.stepBlobs(day, type, feature);
        if (blobs === undefined) return undefined;
        // A day of one part without live events is read in place; parts and live events are merged.
        const stored = blobs.map((b) => viewStep(b)).reduce((a, b) => mergeViews(a, b), EMPTY_VIEW);
        return ls === undefined ? stored : mergeViews(stored, viewOf(ls));
      },
      rowSets() {
        const out: RowSet[] = [];
        if (meta !== undefined) out.push(...store.rows(day)!);
        if (lv !== undefined && lv.rows.n > 0) out.push(lv.rows);
        return out;
      },
    };
  }

  const marker = createMarker();
  // Keyed by the days and their versions: a week's count survives until one of its days changes.
  const distinctCache = new Map<string, number>();
  function distinct(days: string[]): number {
    let key = '';
    for (const d of days) key += `${d}@${versions.get(d) ?? base},`;
    const hit = distinctCache.get(key);
    if (hit !== undefined) return hit;
    marker.reset();
    let n = 0;
    for (const d of days) {
      const users = view(d)?.users();
      if (users === undefined) continue;
      for (let i = 0; i < users.length; i++) if (marker.add(users[i]!)) n++;
    }
    if (distinctCache.size > 10_000) distinctCache.clear();
    distinctCache.set(key, n);
    return n;
  }

  const engine: Engine = {
    distinct,
    store,
    users,
    dict,
    get seen() {
      return seen;
    },
    timeZone,
    live,
    liveReceipts,
    ingest,
    addTo(builder, values, e, receiptDay, sink, steps) {
      const u = encode(e, values, receiptDay, dayOf(e), sink);
      const ms = Date.parse(e.time);
      builder.add(u, dims, ms);
      steps?.add(u, dims[2]!, dims[3]!, ms, segmentId(dims[0]!, dims[1]!, dims[4]!));
    },
    dayValues,
    overflow,
    dayOf,
    view,
    daysWithData(from, to) {
      const set = new Set<string>();
      for (const d of store.meta.keys()) if (d >= from && d <= to) set.add(d);
      for (const [d, l] of live) if (d >= from && d <= to && l.builder.events > 0) set.add(d);
      return [...set].sort();
    },
    version: (day) => versions.get(day) ?? base,
    touch,
    recomputeSeen() {
      seen.reset();
      for (const day of store.meta.keys()) addAll(seen, day, store.users(day)!);
      for (const [day, l] of live) addAll(seen, day, l.builder.view().users);
    },
    async recomputeSeenInTurns() {
      const next = createSeen();
      let since = 0;
      for (const day of [...store.meta.keys()]) {
        const users = store.users(day);
        if (users !== undefined) addAll(next, day, users);
        since += users?.length ?? 0;
        if (since >= SEEN_TURN) {
          since = 0;
          await new Promise((r) => setImmediate(r));
        }
      }
      for (const [day, l] of live) addAll(next, day, l.builder.view().users);
      seen = next;
    },
  };
  return engine;
}
