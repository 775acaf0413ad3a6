import { EMPTY_STEP, segmentId, segmentOf, type StepTimes } from './steps.js';
import { putVarint, varintSize } from '../shared/index.js';

/**
 * One funnel index list as stored (`day_steps.data`) and as the funnel walk reads it. A funnel over
 * 90 days reads a few hundred of these lists the first time a step set is asked for: most of its
 * cost is SQLite handing out the bytes, so the layout is compact, and what can be read in place
 * (times, segments) is: typed-array views on the bytes SQLite handed out, not decoded copies.
 */
export interface StepView {
  /** Ascending user ids. */
  users: Uint32Array;
  /** Number of times of each user (user i's times follow user i − 1's). */
  counts: Uint32Array;
  /** Ms since the epoch that `t` counts from. */
  base: number;
  /** Each time as ms after `base`, per user ascending by (time, segment). */
  t: Uint32Array;
  /** Each time's segment as an index into `segs`. */
  local: Uint8Array | Uint16Array | Uint32Array;
  /** Global segment ids (`segmentId`) of the list's few segments. */
  segs: Uint32Array;
  /** Size in memory, for caches. */
  bytes: number;
}

const HEADER = 24;
/** Layout 2 marks itself in the header word that layout 1 used for the segment width (1, 2 or 4). */
const LAYOUT2 = 0x200;

/**
 * Layout 2 (written since 2026-12-06): header (u32 n users, u32 m times, u32 s segments,
 * u32 0x200 | w, f64 base time), then u32 × m times (ms after base; a day spans at most 25 h), u32 × 3s
 * segment triples, the m local segment indexes of w = 1, 2 or 4 bytes, and last, per user, the
 * gap to the previous user id and the user's number of times as LEB128 varints. Users are dense
 * and most have one time a day, so a (user, step) with one time costs 4 + w + 2 bytes (7) where
 * layout 1 — the same sections but u32 user ids and u32 counts before the times — cost 13; the
 * first funnel on a new step set reads 44 % fewer bytes. Layout 1 lists (days rolled up before)
 * are still read as they are.
 */
export function encodeStep(s: StepTimes): Buffer {
  const n = s.users.length;
  const m = s.times.length;
  let base = Infinity;
  for (let i = 0; i < m; i++) if (s.times[i]! < base) base = s.times[i]!;
  if (m === 0) base = 0;
  const local = new Map<number, number>();
  const triples: number[] = [];
  const segs = new Uint32Array(m);
  for (let i = 0; i < m; i++) {
    const g = s.segs[i]!;
    let l = local.get(g);
    if (l === undefined) {
      local.set(g, (l = local.size));
      triples.push(...segmentOf(g));
    }
    segs[i] = l;
  }
  const w = local.size <= 0x100 ? 1 : local.size <= 0x10000 ? 2 : 4;
  let varBytes = 0;
  for (let i = 0; i < n; i++) varBytes += varintSize(s.users[i]! - (i === 0 ? 0 : s.users[i - 1]!)) + varintSize(s.at[i + 1]! - s.at[i]!);
  const words = m + triples.length;
  const buf = Buffer.alloc(HEADER + 4 * words + w * m + varBytes);
  const ab = buf.buffer;
  const o = buf.byteOffset;
  new Uint32Array(ab, o, 4).set([n, m, local.size, LAYOUT2 | w]);
  buf.writeDoubleLE(base, 16);
  const u32 = new Uint32Array(ab, o + HEADER, words);
  for (let i = 0; i < m; i++) {
    const d = s.times[i]! - base;
    if (!(d >= 0 && d <= 0xffff_ffff && Number.isInteger(d))) throw new Error(`funnel index: time ${s.times[i]} does not fit the day's encoding`);
    u32[i] = d;
  }
  u32.set(triples, m);
  let at = HEADER + 4 * words;
  (w === 1 ? new Uint8Array(ab, o + at, m) : w === 2 ? new Uint16Array(ab, o + at, m) : new Uint32Array(ab, o + at, m)).set(segs);
  at += w * m;
  for (let i = 0; i < n; i++) {
    at = putVarint(buf, at, s.users[i]! - (i === 0 ? 0 : s.users[i - 1]!));
    at = putVarint(buf, at, s.at[i + 1]! - s.at[i]!);
  }
  return buf;
}


const bad = (b: Uint8Array, n: number, m: number, s: number) =>
  new Error(`funnel index: a list of ${b.byteLength} bytes does not match its header (${n} users, ${m} times, ${s} segments)`);

/** The header of an encoded list, checked against its length; throws when the sections do not add up. */
function header(b: Uint8Array) {
  if (b.byteLength < HEADER) throw new Error(`funnel index: a list of ${b.byteLength} bytes is shorter than its header`);
  const [n, m, s, f] = new Uint32Array(b.buffer, b.byteOffset, 4) as unknown as [number, number, number, number];
  const layout2 = (f & ~7) === LAYOUT2;
  const w = f & 7;
  // Layout 1: users and counts (u32 × n each) come before the times.
  const head = layout2 ? 0 : 2 * n;
  const words = head + m + 3 * s;
  const fixed = HEADER + 4 * words + w * m;
  if ((w !== 1 && w !== 2 && w !== 4) || (layout2 ? b.byteLength < fixed + 2 * n : b.byteLength !== fixed)) throw bad(b, n, m, s);
  return { n, m, s, w, layout2, head, words, fixed };
}

/**
 * Layout 2's users and counts, decoded from their varints into one array (users, then counts);
 * undefined for layout 1, which holds them as they are. The step reader's worker runs this too, so
 * the main thread gets them ready.
 */
export function userCounts(blob: Uint8Array, scratch?: { buf: Uint32Array }): Uint32Array | undefined {
  const { n, m, s, layout2, fixed } = header(blob);
  if (!layout2) return undefined;
  // Into a reused array when the caller only walks the list and keeps the bytes alone (the walker).
  if (scratch !== undefined && scratch.buf.length < 2 * n) scratch.buf = new Uint32Array(Math.ceil(2 * n * 1.25) + 1024);
  const uc = scratch !== undefined ? scratch.buf.subarray(0, 2 * n) : new Uint32Array(2 * n);
  const v = new Uint8Array(blob.buffer, blob.byteOffset + fixed, blob.byteLength - fixed);
  let p = 0;
  let user = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    // Past the end `v[p]` is undefined: the varint ends there, and the length check below fails.
    let byte = v[p++]!;
    let x = byte & 0x7f;
    for (let shift = 7; byte >= 0x80; shift += 7) x |= ((byte = v[p++]!) & 0x7f) << shift;
    uc[i] = user += x >>> 0;
    byte = v[p++]!;
    x = byte & 0x7f;
    for (let shift = 7; byte >= 0x80; shift += 7) x |= ((byte = v[p++]!) & 0x7f) << shift;
    uc[n + i] = x >>>= 0;
    total += x;
  }
  if (p !== v.length || total !== m) throw bad(blob, n, m, s);
  return uc;
}

/**
 * Views on an encoded list (either layout); throws on a BLOB whose sections do not add up to its
 * length. `decoded`: its `userCounts`, when already at hand (decoded in the step reader's worker).
 */
export function viewStep(blob: Uint8Array, decoded?: Uint32Array): StepView {
  // Typed arrays need their element alignment. better-sqlite3 allocates each BLOB on its own
  // (offset 0), but a Buffer from a pool may sit anywhere: copy only then (Buffer#slice would not).
  const b = blob.byteOffset % 4 === 0 ? blob : Uint8Array.prototype.slice.call(blob);
  const { n, m, s, w, layout2, head, words } = header(b);
  const ab = b.buffer;
  const o = b.byteOffset;
  // The base sits at offset 16, which need not be 8-aligned here: 8 bytes copied.
  const base = new Float64Array(new Uint8Array(ab, o + 16, 8).slice().buffer)[0]!;
  const u32 = new Uint32Array(ab, o + HEADER, words);
  const tr = head + m;
  const segs = new Uint32Array(s);
  for (let k = 0; k < s; k++) segs[k] = segmentId(u32[tr + 3 * k]!, u32[tr + 3 * k + 1]!, u32[tr + 3 * k + 2]!);
  const at = o + HEADER + 4 * words;
  const local = w === 1 ? new Uint8Array(ab, at, m) : w === 2 ? new Uint16Array(ab, at, m) : new Uint32Array(ab, at, m);
  const t = u32.subarray(head, head + m);
  if (!layout2) return { users: u32.subarray(0, n), counts: u32.subarray(n, 2 * n), base, t, local, segs, bytes: b.byteLength + 4 * s + 256 };
  const uc = decoded !== undefined && decoded.length === 2 * n ? decoded : userCounts(b)!;
  return { users: uc.subarray(0, n), counts: uc.subarray(n), base, t, local, segs, bytes: b.byteLength + 8 * n + 4 * s + 256 };
}

/** A list as fresh arrays (absolute times, global segment ids), from either layout. */
export function decodeStep(blob: Uint8Array): StepTimes {
  const v = viewStep(blob);
  const n = v.users.length;
  const m = v.t.length;
  const at = new Uint32Array(n + 1);
  for (let i = 0; i < n; i++) at[i + 1] = at[i]! + v.counts[i]!;
  const times = new Float64Array(m);
  const segs = new Uint32Array(m);
  for (let i = 0; i < m; i++) {
    times[i] = v.base + v.t[i]!;
    segs[i] = v.segs[v.local[i]!]!;
  }
  return { users: v.users.slice(), at, times, segs };
}

/** A list built in memory (live events, or merged with them) as a view. */
export function viewOf(s: StepTimes): StepView {
  return s.users.length === 0 ? EMPTY_VIEW : viewStep(encodeStep(s));
}

export const EMPTY_VIEW: StepView = viewStep(encodeStep(EMPTY_STEP));
