import { DIMS } from './cube.js';
import type { Interner } from './dict.js';

/**
 * What the rollups keep of a dimension value, and how many distinct ones per day. Every distinct
 * value costs memory (the dictionary is loaded at start) and disk for good, so a sender who makes
 * each event's url, feature or version new must not be able to grow them without bound:
 *
 * - values are normalised: a url loses its query string and fragment (`/a?b#c` → `/a`);
 * - values are cut to `MAX_VALUE_LENGTH` characters (on a code point boundary);
 * - per calendar day and dimension only the first `cap` distinct values (in log order) are kept;
 *   later new values of that day are counted under `OTHER`, and the events so counted are
 *   reported per receipt day in `completeness` (`other`).
 *
 * The raw log keeps every event as sent; only the rollups (and so the query API) see this.
 */
export const MAX_VALUE_LENGTH = 200;
export const OTHER = '(other)';
const URL = DIMS.indexOf('url');

export function normalizeValue(dim: number, value: string): string {
  let v = value;
  if (dim === URL) {
    const q = v.search(/[?#]/);
    if (q !== -1) v = v.slice(0, q);
  }
  if (v.length > MAX_VALUE_LENGTH) {
    // Never leave half a surrogate pair at the end.
    const c = v.charCodeAt(MAX_VALUE_LENGTH - 1);
    v = v.slice(0, c >= 0xd800 && c <= 0xdbff ? MAX_VALUE_LENGTH - 1 : MAX_VALUE_LENGTH);
  }
  return v;
}

/** The distinct dictionary ids of one day, per dimension, with the day's cap. */
export interface DayValues {
  /** The dictionary id to count `value` under for dimension `dim` (0 = absent); sets `overflow`. */
  admit(dim: number, value: string | undefined): number;
  /** Bit i set when an `admit` of dimension i went to `(other)` since the caller last set it to 0. */
  overflow: number;
  /** Sorted ids per dimension (for persisting and for erasure). */
  lists(): Uint32Array[];
}

export function createDayValues(dict: Interner, cap: number, initial?: Uint32Array[]): DayValues {
  const sets = DIMS.map((_, i) => new Set<number>(initial?.[i] ?? []));
  // Most fields repeat from one event to the next: the last raw value per dimension and its answer.
  const lastRaw: (string | undefined)[] = DIMS.map(() => undefined);
  const lastId = new Uint32Array(DIMS.length);
  let lastOverflow = 0;
  const dv: DayValues = {
    overflow: 0,
    admit(dim, raw) {
      if (raw === undefined || raw === '') return 0;
      if (raw === lastRaw[dim]) {
        dv.overflow |= lastOverflow & (1 << dim);
        return lastId[dim]!;
      }
      const id = admitNew(dim, raw);
      lastRaw[dim] = raw;
      lastId[dim] = id;
      lastOverflow = (lastOverflow & ~(1 << dim)) | (dv.overflow & (1 << dim));
      return id;
    },
    lists: () => sets.map((s) => Uint32Array.from(s).sort()),
  };
  function admitNew(dim: number, raw: string): number {
    const value = normalizeValue(dim, raw);
    const set = sets[dim]!;
    const known = dict.find(value);
    if (known !== undefined && set.has(known)) return known;
    if (set.size >= cap) {
      // Not interned: a value past the cap must not cost a dictionary entry either.
      dv.overflow |= 1 << dim;
      const other = dict.id(OTHER);
      set.add(other);
      return other;
    }
    const id = known ?? dict.id(value);
    set.add(id);
    return id;
  }
  return dv;
}

/** Per-dimension id lists as a BLOB: u32 count per dimension, then the ids of each. */
export function encodeValues(lists: Uint32Array[]): Buffer {
  const total = lists.reduce((n, l) => n + l.length, 0);
  const out = new Uint32Array(DIMS.length + total);
  let o = DIMS.length;
  lists.forEach((l, i) => {
    out[i] = l.length;
    out.set(l, o);
    o += l.length;
  });
  return Buffer.from(out.buffer);
}

export function decodeValues(blob: Uint8Array): Uint32Array[] {
  const all = new Uint32Array(blob.slice().buffer);
  let o = DIMS.length;
  return DIMS.map((_, i) => {
    const l = all.subarray(o, o + all[i]!);
    o += all[i]!;
    return l;
  });
}

/** The same lists read off a day's rows (days rolled up before the values were stored). */
export function valuesOfRows(rows: { n: number; dims: Uint32Array[] }[]): Uint32Array[] {
  return DIMS.map((_, i) => {
    const s = new Set<number>();
    for (const r of rows) {
      const col = r.dims[i]!;
      for (let k = 0; k < r.n; k++) if (col[k] !== 0) s.add(col[k]!);
    }
    return Uint32Array.from(s).sort();
  });
}
