import { DIMS, type Engine, entryKey, orUsers, parseIndex, type ParsedIndex, type RowSet } from '../rollup/index.js';
import { perEngine } from './per-engine.js';

/**
 * One day as the unfiltered breakdowns read it: the persisted part through the day's breakdown
 * index (rollup/breakdown-index.ts), the live part (events since its last rollup) through its
 * rows. The index is replaced in the same transaction that moves the day's persisted rows, and a
 * rollup takes the live rows out of the overlay in the same turn of the event loop, so the two
 * parts never overlap or miss a row. Undefined for a day without an index (rolled up before it
 * existed): read it through `engine.view(day).rowSets()`.
 */
export interface IndexedDay {
  index: ParsedIndex;
  /** The live rows, when the day has any. */
  live: RowSet | undefined;
}

// Parsed indexes by day and version: the events pass and the users pass of one request read the
// same days, and the nine dimensions of a day are one BLOB (≈ 1 MB a day at 150,000 events).
const parsedOf = perEngine(() => new Map<string, { v: number; ix: ParsedIndex | null }>());
const PARSED_MAX = 32;

function persistedIndex(engine: Engine, day: string): ParsedIndex | undefined {
  const v = engine.version(day);
  const parsed = parsedOf(engine);
  const hit = parsed.get(day);
  if (hit !== undefined && hit.v === v) return hit.ix ?? undefined;
  const stored = engine.store.breakdownIndex(day);
  const ix = stored === undefined ? null : parseIndex(stored.directory, stored.lists);
  parsed.delete(day);
  parsed.set(day, { v, ix });
  if (parsed.size > PARSED_MAX) parsed.delete(parsed.keys().next().value!);
  return ix ?? undefined;
}

export function indexedDay(engine: Engine, day: string): IndexedDay | undefined {
  if (!engine.store.meta.has(day)) return undefined;
  const index = persistedIndex(engine, day);
  if (index === undefined) return undefined;
  const lv = engine.live.get(day)?.builder.view().rows;
  return { index, live: lv !== undefined && lv.n > 0 ? lv : undefined };
}

/** Events per dictionary id of every dimension that day, ascending ids (breakdown.ts `DayEvents`). */
export function indexedEvents(day: IndexedDay): { ids: Uint32Array; events: Float64Array }[] {
  const per = DIMS.map(() => new Map<number, number>());
  for (const e of day.index.entries) per[e.dim]!.set(e.value, e.events);
  const rows = day.live;
  if (rows !== undefined) {
    for (let d = 0; d < DIMS.length; d++) {
      const m = per[d]!;
      const col = rows.dims[d]!;
      for (let r = 0; r < rows.n; r++) m.set(col[r]!, (m.get(col[r]!) ?? 0) + rows.count[r]!);
    }
  }
  return per.map((m) => {
    const ids = Uint32Array.from(m.keys()).sort();
    return { ids, events: Float64Array.from(ids, (id) => m.get(id)!) };
  });
}

/** Adds the persisted users of (dim, value) that day to `bits`; returns it (a larger copy when it had to grow). */
export function orIndexedUsers(day: IndexedDay, dim: number, value: number, bits: Uint32Array): Uint32Array {
  const e = day.index.byKey.get(entryKey(dim, value));
  return e === undefined ? bits : orUsers(day.index, e, bits);
}
