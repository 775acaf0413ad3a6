import { DIMS, NO_USER, type RowSet } from './cube.js';

/**
 * A day's breakdown index, written with its rows at rollup time: for every (dimension, value) of
 * the day, its events and its distinct users. The dashboard's overview needs, over a range, the
 * events per value of nine dimensions and the distinct users of the top values; from the rows that
 * is a read of every row of the range (≈ 7 MB a day on the 150,000-events-a-day benchmark, about a
 * minute for 90 days after a restart). From this index it is a read of ≈ 1 MB a day whose
 * directory gives the events and whose user lists are unioned for the listed values only.
 *
 * Exact by construction: the lists hold every user id of the value that day (rows without a user
 * count events only). A day's index is replaced in the transaction that moves the day's head
 * (store.ts), so it always describes exactly the persisted rows; the live overlay of a day is read
 * from its rows on top (query/breakdown-users.ts). Days without one (rolled up before it existed)
 * are read through their rows.
 *
 * Encoded: a directory — u32 FORMAT, u32 entry count E; E × 6 u32 (dim, value, events low, events
 * high, users, byte length of the list), ordered by (dim, value) — then the lists: each entry's
 * users, ascending, as LEB128 gaps (id − previous id − 1, the first from −1). At ≈ 100,000 daily
 * users among ~900,000 ids a gap takes about a byte, a quarter of a plain u32 list. The store keeps
 * the directory and each dimension's lists apart (`splitIndex`): the events of a range need only
 * the directories (a few KB a day), and ~100 KB BLOBs read at a fresh start cost half of what one
 * 1 MB BLOB does (fewer page faults: they fit the allocator's heap instead of a new mapping each).
 */
const FORMAT = 1;
const HEAD = 2;
const ENTRY = 6;

export interface IndexEntry {
  dim: number;
  value: number;
  events: number;
  /** Distinct users of the value that day. */
  users: number;
  /** Byte offset and length of its user list in its dimension's lists. */
  at: number;
  len: number;
}

export interface ParsedIndex {
  entries: IndexEntry[];
  /** Entry by `dim * 2^32 + value`. */
  byKey: Map<number, IndexEntry>;
  /** The lists of dimension `dim` (`IndexEntry.at` is relative to their start), read on first use. */
  lists(dim: number): Uint8Array;
}

export const entryKey = (dim: number, value: number) => dim * 0x1_0000_0000 + value;

interface Built {
  dim: number;
  value: number;
  events: number;
  users: Uint32Array;
}

/** The index of a day made of `sets` (every row set of the day). */
export function buildIndex(sets: readonly RowSet[]): Uint8Array {
  const out: Built[] = [];
  for (let d = 0; d < DIMS.length; d++) {
    // Counting sort of (value, user) by value, then each value's users sorted and deduplicated.
    // Slots by dictionary id in a flat array (ids are dense): no hashing per row.
    let max = 0;
    for (const rows of sets) for (let r = 0, col = rows.dims[d]!; r < rows.n; r++) if (col[r]! > max) max = col[r]!;
    const slot = new Int32Array(max + 1).fill(-1);
    const values: number[] = [];
    const events: number[] = [];
    const sizes: number[] = [];
    for (const rows of sets) {
      const col = rows.dims[d]!;
      for (let r = 0; r < rows.n; r++) {
        const v = col[r]!;
        let s = slot[v]!;
        if (s < 0) {
          slot[v] = s = values.length;
          values.push(v);
          events.push(0);
          sizes.push(0);
        }
        events[s]! += rows.count[r]!;
        if (rows.user[r] !== NO_USER) sizes[s]!++;
      }
    }
    const starts = new Uint32Array(values.length + 1);
    for (let s = 0; s < values.length; s++) starts[s + 1] = starts[s]! + sizes[s]!;
    const fill = starts.slice(0, values.length);
    const all = new Uint32Array(starts[values.length]!);
    for (const rows of sets) {
      const col = rows.dims[d]!;
      for (let r = 0; r < rows.n; r++) {
        const u = rows.user[r]!;
        if (u !== NO_USER) all[fill[slot[col[r]!]!]!++] = u;
      }
    }
    for (let s = 0; s < values.length; s++) {
      out.push({ dim: d, value: values[s]!, events: events[s]!, users: dedupe(all.subarray(starts[s]!, starts[s + 1]!).sort()) });
    }
  }
  return encode(out);
}

/** The index of a day whose rows are those of `x`'s day and `y`'s together (a part appended). */
export function mergeIndex(x: ParsedIndex, y: ParsedIndex): Uint8Array {
  const out: Built[] = [];
  for (const e of x.entries) {
    const o = y.byKey.get(entryKey(e.dim, e.value));
    const users = o === undefined ? listOf(x, e) : union(listOf(x, e), listOf(y, o));
    out.push({ dim: e.dim, value: e.value, events: e.events + (o?.events ?? 0), users });
  }
  for (const e of y.entries) if (!x.byKey.has(entryKey(e.dim, e.value))) out.push({ dim: e.dim, value: e.value, events: e.events, users: listOf(y, e) });
  return encode(out);
}

/** Bytes of the directory at the start of an encoded index. */
const directoryBytes = (blob: Uint8Array) => (HEAD + new DataView(blob.buffer, blob.byteOffset, 8).getUint32(4, true) * ENTRY) * 4;

/** An encoded index as its directory and each dimension's lists. */
export function splitIndex(blob: Uint8Array): { directory: Uint8Array; lists: Uint8Array[] } {
  const n = directoryBytes(blob);
  const ix = parseIndex(blob);
  return { directory: blob.subarray(0, n), lists: DIMS.map((_, d) => ix.lists(d)) };
}

/** Reads a directory; `lists(dim)` gives a dimension's lists (default: they follow the directory in `blob`). */
export function parseIndex(blob: Uint8Array, lists?: (dim: number) => Uint8Array): ParsedIndex {
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const word = (i: number) => view.getUint32(i * 4, true);
  if (blob.byteLength < HEAD * 4 || word(0) !== FORMAT) throw new Error('breakdown index: unknown format');
  const n = word(1);
  const entries: IndexEntry[] = [];
  const byKey = new Map<number, IndexEntry>();
  // Where each dimension's lists start and end within all the lists (entries go by dimension).
  const start = new Array<number>(DIMS.length).fill(0);
  const end = new Array<number>(DIMS.length).fill(0);
  let total = 0;
  let dim = -1;
  for (let i = 0; i < n; i++) {
    const w = HEAD + i * ENTRY;
    const d = word(w);
    if (d >= DIMS.length || d < dim) throw new Error('breakdown index: bad directory');
    for (; dim < d; dim++) start[dim + 1] = end[dim + 1] = total;
    const e: IndexEntry = { dim: d, value: word(w + 1), events: word(w + 2) + word(w + 3) * 0x1_0000_0000, users: word(w + 4), at: total - start[d]!, len: word(w + 5) };
    total += e.len;
    end[d] = total;
    entries.push(e);
    byKey.set(entryKey(e.dim, e.value), e);
  }
  for (; dim < DIMS.length - 1; dim++) start[dim + 1] = end[dim + 1] = total;
  const dirBytes = (HEAD + n * ENTRY) * 4;
  const read = lists ?? ((d: number) => blob.subarray(dirBytes + start[d]!, dirBytes + end[d]!));
  const loaded: (Uint8Array | undefined)[] = DIMS.map(() => undefined);
  return { entries, byKey, lists: (d) => (loaded[d] ??= read(d)) };
}

/**
 * Sets the bit of every user of `e` in `bits` (a bitset over user ids); returns the bitset, a
 * larger copy when an id lies past its end.
 */
export function orUsers(ix: ParsedIndex, e: IndexEntry, bits: Uint32Array): Uint32Array {
  const b = ix.lists(e.dim);
  const end = e.at + e.len;
  let out = bits;
  let u = -1;
  for (let i = e.at; i < end; ) {
    // Most gaps take one byte: no loop for them.
    let g = b[i++]!;
    if (g >= 0x80) {
      g &= 0x7f;
      let scale = 0x80;
      let c: number;
      do {
        c = b[i++]!;
        g += (c & 0x7f) * scale;
        scale *= 0x80;
      } while (c >= 0x80);
    }
    u += g + 1;
    const w = u >>> 5;
    if (w >= out.length) {
      const grown = new Uint32Array(Math.max(out.length * 2, w + 1));
      grown.set(out);
      out = grown;
    }
    out[w]! |= 1 << (u & 31);
  }
  return out;
}

/** The users of `e`, ascending. */
export function listOf(ix: ParsedIndex, e: IndexEntry): Uint32Array {
  const out = new Uint32Array(e.users);
  const b = ix.lists(e.dim);
  let u = -1;
  let k = 0;
  for (let i = e.at, end = e.at + e.len; i < end; ) {
    let g = 0;
    let shift = 0;
    let c: number;
    do {
      c = b[i++]!;
      g += (c & 0x7f) * 2 ** shift;
      shift += 7;
    } while (c >= 0x80);
    u += g + 1;
    out[k++] = u;
  }
  return out;
}

function encode(items: Built[]): Uint8Array {
  items.sort((p, q) => p.dim - q.dim || p.value - q.value);
  const lists = items.map((x) => gaps(x.users));
  const dirBytes = (HEAD + items.length * ENTRY) * 4;
  const out = new Uint8Array(dirBytes + lists.reduce((n, l) => n + l.length, 0));
  const view = new DataView(out.buffer);
  view.setUint32(0, FORMAT, true);
  view.setUint32(4, items.length, true);
  let at = dirBytes;
  items.forEach((x, i) => {
    const w = (HEAD + i * ENTRY) * 4;
    view.setUint32(w, x.dim, true);
    view.setUint32(w + 4, x.value, true);
    view.setUint32(w + 8, x.events % 0x1_0000_0000, true);
    view.setUint32(w + 12, Math.floor(x.events / 0x1_0000_0000), true);
    view.setUint32(w + 16, x.users.length, true);
    view.setUint32(w + 20, lists[i]!.length, true);
    out.set(lists[i]!, at);
    at += lists[i]!.length;
  });
  return out;
}

function gaps(users: Uint32Array): Uint8Array {
  const out = new Uint8Array(users.length * 5);
  let o = 0;
  let prev = -1;
  for (let i = 0; i < users.length; i++) {
    let g = users[i]! - prev - 1;
    prev = users[i]!;
    while (g >= 0x80) {
      out[o++] = (g & 0x7f) | 0x80;
      g = Math.floor(g / 128);
    }
    out[o++] = g;
  }
  return out.subarray(0, o);
}

/** `sorted` without repeats (in place; a view of its start). */
function dedupe(sorted: Uint32Array): Uint32Array {
  if (sorted.length === 0) return sorted;
  let o = 1;
  for (let i = 1; i < sorted.length; i++) if (sorted[i] !== sorted[o - 1]) sorted[o++] = sorted[i]!;
  return sorted.subarray(0, o);
}

function union(a: Uint32Array, b: Uint32Array): Uint32Array {
  const out = new Uint32Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let o = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    out[o++] = x <= y ? x : y;
    if (x <= y) i++;
    if (y <= x) j++;
  }
  while (i < a.length) out[o++] = a[i++]!;
  while (j < b.length) out[o++] = b[j++]!;
  return out.subarray(0, o);
}
