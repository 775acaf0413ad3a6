import { type Dim, DIMS, type Engine } from '../rollup/index.js';
import type { Segment } from './segment.js';
import { distinctUsers, matchMask, segKeyOf, type Target } from './breakdown-users.js';
import { topN, type Omitted } from './top.js';
import { perEngine } from './per-engine.js';

export interface BreakdownRow {
  value: string | null;
  events: number;
  /** Distinct users of the range with this value; absent when asked without users. */
  users?: number;
}

export interface BreakdownAnswer {
  rows: BreakdownRow[];
  omitted: Omitted;
}

/**
 * Breakdowns (events and distinct users per value of a dimension over a range) without one row
 * scan per dimension and request. The dashboard's overview asks for all nine dimensions at once
 * (and the previous period's events for its change column); on 90 days × 150,000 events the
 * old way, two passes over every cube row per request, never finished (docs/benchmarks.md).
 *
 * - Events per value are additive over days: one pass over a day's rows gives every dimension's
 *   counts (a few hundred numbers), kept per day, segment and day version. A range sums those.
 * - Distinct users are not additive: they are counted exactly in one pass over the range's rows
 *   for the listed values of every dimension together (breakdown-users.ts), and the nine answers
 *   are kept under the days' versions, so the other eight requests of an overview, and every
 *   reload until a day of the range changes, are answered from memory.
 */

type DayEvents = { ids: Uint32Array; events: Float64Array }[];

const dayCacheOf = perEngine(() => new Map<string, { v: number; s: DayEvents }>());
const DAY_CACHE_MAX = 4096;

function grow(a: Float64Array, index: number): Float64Array<ArrayBuffer> {
  let n = Math.max(64, a.length);
  while (n <= index) n *= 2;
  const b = new Float64Array(n);
  b.set(a);
  return b;
}

/** Events per dictionary id of every dimension on one day under `seg` (cached by the day's version). */
function dayEvents(engine: Engine, day: string, seg: Segment, segKey: string): DayEvents {
  const key = `${day}|${segKey}`;
  const v = engine.version(day);
  const dayCache = dayCacheOf(engine);
  const hit = dayCache.get(key);
  if (hit !== undefined && hit.v === v) return hit.s;
  const acc: Float64Array<ArrayBuffer>[] = DIMS.map(() => new Float64Array(64));
  for (const rows of engine.view(day)?.rowSets() ?? []) {
    const mask = matchMask(rows, seg);
    for (let d = 0; d < DIMS.length; d++) {
      const col = rows.dims[d]!;
      let a = acc[d]!;
      for (let r = 0; r < rows.n; r++) {
        if (mask !== undefined && mask[r] === 0) continue;
        const id = col[r]!;
        if (id >= a.length) acc[d] = a = grow(a, id);
        a[id]! += rows.count[r]!;
      }
    }
  }
  const s = acc.map((a) => {
    const ids: number[] = [];
    const events: number[] = [];
    for (let i = 0; i < a.length; i++) {
      if (a[i] !== 0) {
        ids.push(i);
        events.push(a[i]!);
      }
    }
    return { ids: Uint32Array.from(ids), events: Float64Array.from(events) };
  });
  if (dayCache.size >= DAY_CACHE_MAX) dayCache.delete(dayCache.keys().next().value!);
  dayCache.set(key, { v, s });
  return s;
}

// Bitsets of all listed values of one pass stay under this; more values take more passes.
const BITSET_BUDGET = 96 * 1024 * 1024;

const answerCacheOf = perEngine(() => new Map<string, { versions: string; answers: BreakdownAnswer[] }>());
const ANSWER_CACHE_MAX = 64;

/**
 * Every dimension's breakdown over `from`..`to` under `seg`: the `limit` values with most events
 * (ties by value, missing last), with distinct users unless `withUsers` is false. A generator
 * that yields after each day's work (see breakdown-users.ts).
 */
function answerKey(engine: Engine, days: string[], from: string, to: string, seg: Segment, limit: number, withUsers: boolean, budget: number) {
  let versions = '';
  for (const d of days) versions += `${d}@${engine.version(d)},`;
  return { key: `${segKeyOf(seg)}|${from}|${to}|${limit}|${withUsers}|${budget}`, versions };
}

function* allBreakdowns(engine: Engine, from: string, to: string, seg: Segment, limit: number, withUsers: boolean, budget: number): Generator<void, BreakdownAnswer[], void> {
  const days = engine.daysWithData(from, to);
  const segKey = segKeyOf(seg);
  const { key, versions } = answerKey(engine, days, from, to, seg, limit, withUsers, budget);
  const answerCache = answerCacheOf(engine);
  const hit = answerCache.get(key);
  if (hit !== undefined && hit.versions === versions) return hit.answers;

  const sums = DIMS.map(() => new Map<number, number>());
  for (const day of days) {
    dayEvents(engine, day, seg, segKey).forEach(({ ids, events }, d) => {
      const m = sums[d]!;
      for (let i = 0; i < ids.length; i++) m.set(ids[i]!, (m.get(ids[i]!) ?? 0) + events[i]!);
    });
    yield;
  }
  const nameOf = (id: number) => (id === 0 ? null : (engine.dict.value(id) ?? null));
  const tops = sums.map((m) => topN([...m].map(([id, events]) => ({ id, value: nameOf(id), events })), (x) => x.value, limit));
  const targets: Target[] = tops.flatMap((t, d) => t.top.map((x) => [d, x.id] as const));
  const counts = withUsers ? yield* distinctUsers(engine, days, seg, targets, budget) : undefined;
  const users = new Map(targets.map((t, i) => [`${t[0]}:${t[1]}`, counts?.[i]]));
  const answers = tops.map(({ top, omitted }, d) => ({
    rows: top.map((x) => (counts === undefined ? { value: x.value, events: x.events } : { value: x.value, events: x.events, users: users.get(`${d}:${x.id}`)! })),
    omitted,
  }));
  if (answerCache.size >= ANSWER_CACHE_MAX) answerCache.delete(answerCache.keys().next().value!);
  answerCache.set(key, { versions, answers });
  return answers;
}

function runToEnd<T>(g: Generator<void, T, void>): T {
  for (;;) {
    const r = g.next();
    if (r.done) return r.value;
  }
}

const inflightOf = perEngine(() => new Map<string, Promise<BreakdownAnswer[]>>());

/**
 * The same answers, computed a day per turn of the event loop, so a long computation never holds
 * up ingestion or other requests for long. Callers asking for the same range and segment while
 * the days are unchanged share one computation: the nine breakdown requests of an overview, and
 * the background warmer (warm.ts).
 */
export function breakdownsAsync(engine: Engine, from: string, to: string, seg: Segment, limit: number, withUsers: boolean, stopped: () => boolean = () => false, budget = BITSET_BUDGET): Promise<BreakdownAnswer[]> {
  const { key, versions } = answerKey(engine, engine.daysWithData(from, to), from, to, seg, limit, withUsers, budget);
  const k = `${key}#${versions}`;
  const inflight = inflightOf(engine);
  const running = inflight.get(k);
  if (running !== undefined) return running;
  const g = allBreakdowns(engine, from, to, seg, limit, withUsers, budget);
  const first = g.next();
  if (first.done) return Promise.resolve(first.value);
  const p = (async () => {
    for (;;) {
      await new Promise((r) => setImmediate(r));
      if (stopped()) throw new Error('stopped');
      const r = g.next();
      if (r.done) return r.value;
    }
  })().finally(() => inflight.delete(k));
  inflight.set(k, p);
  return p;
}

/** `breakdown`, a turn of the event loop per day (see breakdownsAsync). */
export async function breakdownAsync(engine: Engine, by: Dim, from: string, to: string, seg: Segment, limit: number, withUsers = true): Promise<BreakdownAnswer> {
  if (seg.none) return { rows: [], omitted: { values: 0, events: 0 } };
  return (await breakdownsAsync(engine, from, to, seg, limit, withUsers))[DIMS.indexOf(by)]!;
}

/**
 * `GET /api/analytics/breakdown`: events and distinct users per value of `by` over `from`..`to`.
 * `bitsetBytes` bounds the memory of one users pass (tests lower it to force several passes).
 */
export function breakdown(engine: Engine, by: Dim, from: string, to: string, seg: Segment, limit: number, withUsers = true, bitsetBytes = BITSET_BUDGET): BreakdownAnswer {
  if (seg.none) return { rows: [], omitted: { values: 0, events: 0 } };
  return runToEnd(allBreakdowns(engine, from, to, seg, limit, withUsers, bitsetBytes))[DIMS.indexOf(by)]!;
}
