import { EMPTY_STEP, encodeStep, segmentId, type StepTimes } from './steps.js';

/**
 * One funnel index list read in place from its BLOB (layout: `encodeStep`): typed-array views on
 * the bytes SQLite handed out, nothing decoded. A funnel over 90 days reads a few hundred of these
 * lists the first time a step set is asked for; decoding each into fresh arrays (absolute times as
 * f64, global segment ids, offsets) cost more than reading them, and the garbage it made as much
 * again (profile in docs/benchmarks.md).
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

/** Views on an encoded list; throws on a BLOB whose sections do not add up to its length. */
export function viewStep(blob: Uint8Array): StepView {
  // Typed arrays need their element alignment. better-sqlite3 allocates each BLOB on its own
  // (offset 0), but a Buffer from a pool may sit anywhere: copy only then (Buffer#slice would not).
  const b = blob.byteOffset % 4 === 0 ? blob : Uint8Array.prototype.slice.call(blob);
  if (b.byteLength < HEADER) throw new Error(`funnel index: a list of ${b.byteLength} bytes is shorter than its header`);
  const ab = b.buffer;
  const o = b.byteOffset;
  const [n, m, s, w] = new Uint32Array(ab, o, 4) as unknown as [number, number, number, number];
  const words = 2 * n + m + 3 * s;
  if ((w !== 1 && w !== 2 && w !== 4) || b.byteLength !== HEADER + 4 * words + w * m) {
    throw new Error(`funnel index: a list of ${b.byteLength} bytes does not match its header (${n} users, ${m} times, ${s} segments)`);
  }
  // The base sits at offset 16, which need not be 8-aligned here: 8 bytes copied.
  const base = new Float64Array(new Uint8Array(ab, o + 16, 8).slice().buffer)[0]!;
  const u32 = new Uint32Array(ab, o + HEADER, words);
  const tr = 2 * n + m;
  const segs = new Uint32Array(s);
  for (let k = 0; k < s; k++) segs[k] = segmentId(u32[tr + 3 * k]!, u32[tr + 3 * k + 1]!, u32[tr + 3 * k + 2]!);
  const at = o + HEADER + 4 * words;
  const local = w === 1 ? new Uint8Array(ab, at, m) : w === 2 ? new Uint16Array(ab, at, m) : new Uint32Array(ab, at, m);
  return { users: u32.subarray(0, n), counts: u32.subarray(n, 2 * n), base, t: u32.subarray(2 * n, 2 * n + m), local, segs, bytes: b.byteLength + 4 * s + 256 };
}

/** A list built in memory (live events, or merged with them) as a view. */
export function viewOf(s: StepTimes): StepView {
  return s.users.length === 0 ? EMPTY_VIEW : viewStep(encodeStep(s));
}

export const EMPTY_VIEW: StepView = viewStep(encodeStep(EMPTY_STEP));
