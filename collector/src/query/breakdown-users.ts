import { DIMS, type Engine, NO_USER, type RowSet } from '../rollup/index.js';
import { rowMatches, type Segment } from './segment.js';
import { perEngine } from './per-engine.js';

/** One listed value: dimension index and dictionary id. */
export type Target = readonly [dim: number, id: number];

/**
 * Distinct users per listed value over a range, exact: a bitset of user ids per value (1 bit per
 * user id: 116 KB per value at 925,000 ids), filled in one pass over the rows for all values of
 * all dimensions together.
 *
 * Days split in two. Settled days (no live events) change only when a rollup, a rebuild or an
 * erasure rewrites them: their bitsets are kept under the days' versions, so a page reload, the
 * next range preset with the same days, or a breakdown of another dimension of the same overview
 * reads no row. Days with live events (today, mostly) change with every event: they are scanned on
 * each query, on top of copies of the settled bitsets — their rows are the overlay's, a day at most.
 *
 * The passes are generators that yield after each day, so the background warmer (warm.ts) can run
 * them a day per turn of the event loop while a request runs them to the end at once.
 */

const key = (t: Target) => `${t[0]}:${t[1]}`;
export const segKeyOf = (seg: Segment) => (seg.none ? 'none' : seg.pairs.map((p) => p.join('=')).join('&'));

/** Rows that pass the segment (undefined: all of them). */
export function matchMask(rows: RowSet, seg: Segment): Uint8Array | undefined {
  if (seg.pairs.length === 0) return undefined;
  const m = new Uint8Array(rows.n);
  for (let r = 0; r < rows.n; r++) if (rowMatches(rows, r, seg)) m[r] = 1;
  return m;
}

function widen(b: Uint32Array, w: number): Uint32Array {
  const g = new Uint32Array(Math.max(b.length * 2, w + 1));
  g.set(b);
  return g;
}

/** Adds the users of `days` to the bitsets of `targets` (`bits[i]` for `targets[i]`, replaced when it must grow). */
function* scan(engine: Engine, days: string[], seg: Segment, targets: readonly Target[], bits: Uint32Array[]): Generator<void, void, void> {
  const slotOf = DIMS.map(() => new Int32Array(0));
  targets.forEach(([d, id], s) => {
    if (id >= slotOf[d]!.length) {
      const g = new Int32Array(id + 1).fill(-1);
      g.set(slotOf[d]!);
      slotOf[d] = g;
    }
    slotOf[d]![id] = s;
  });
  const dims = DIMS.map((_, d) => d).filter((d) => slotOf[d]!.length > 0);
  for (const day of days) {
    for (const rows of engine.view(day)?.rowSets() ?? []) {
      const m = matchMask(rows, seg);
      const user = rows.user;
      for (const d of dims) {
        const col = rows.dims[d]!;
        const slots = slotOf[d]!;
        for (let r = 0; r < rows.n; r++) {
          const id = col[r]!;
          if (id >= slots.length) continue;
          const s = slots[id]!;
          if (s < 0 || (m !== undefined && m[r] === 0)) continue;
          const u = user[r]!;
          if (u === NO_USER) continue;
          const w = u >>> 5;
          let b = bits[s]!;
          // A user id past what `seen` knew when the bitset was made (ingested meanwhile).
          if (w >= b.length) bits[s] = b = widen(b, w);
          b[w]! |= 1 << (u & 31);
        }
      }
    }
    yield;
  }
}

function popcount(b: Uint32Array): number {
  let n = 0;
  for (let i = 0; i < b.length; i++) {
    let x = b[i]!;
    x -= (x >>> 1) & 0x55555555;
    x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
    n += (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
  }
  return n;
}

interface Settled {
  bits: Map<string, Uint32Array>;
  bytes: number;
}
// Settled bitsets, least recently used first. 256 MB holds the overviews of a few ranges and
// segments on a ~1 M-user deployment (about 90 values each).
interface SettledCache {
  entries: Map<string, Settled>;
  bytes: number;
}
const settledOf = perEngine((): SettledCache => ({ entries: new Map(), bytes: 0 }));
const SETTLED_CACHE_BYTES = 256 * 1024 * 1024;

function settledEntry(cache: SettledCache, k: string): Settled {
  const settledCache = cache.entries;
  let e = settledCache.get(k);
  if (e !== undefined) {
    settledCache.delete(k);
    settledCache.set(k, e);
    return e;
  }
  settledCache.set(k, (e = { bits: new Map(), bytes: 0 }));
  return e;
}

function evict(cache: SettledCache, keep: Settled): void {
  for (const [k, e] of cache.entries) {
    if (cache.bytes <= SETTLED_CACHE_BYTES) return;
    if (e === keep) continue;
    cache.entries.delete(k);
    cache.bytes -= e.bytes;
  }
}

/**
 * Distinct users of each target over `days` under `seg`, as a count per target. Settled bitsets
 * are computed `perPass` values at a time (the memory bound of one pass) and cached.
 */
export function* distinctUsers(engine: Engine, days: string[], seg: Segment, targets: readonly Target[], budgetBytes: number): Generator<void, number[], void> {
  const isLive = (d: string) => (engine.live.get(d)?.builder.events ?? 0) > 0;
  const settled = days.filter((d) => !isLive(d));
  const live = days.filter(isLive);
  let sk = `${segKeyOf(seg)}|`;
  for (const d of settled) sk += `${d}@${engine.version(d)},`;
  const cache = settledOf(engine);
  const entry = settledEntry(cache, sk);
  const words = Math.ceil(Math.max(engine.seen.size, 1) / 32);
  const perPass = Math.max(1, Math.floor(budgetBytes / (words * 4)));
  const missing = targets.filter((t) => !entry.bits.has(key(t)));
  // Newest days first: the breakdown's events pass just read the range oldest first, so the
  // newest days' rows are still in the store's row cache.
  const newestFirst = [...settled].reverse();
  for (let c = 0; c < missing.length; c += perPass) {
    const chunk = missing.slice(c, c + perPass);
    const bits = chunk.map(() => new Uint32Array(words));
    yield* scan(engine, newestFirst, seg, chunk, bits);
    chunk.forEach((t, i) => {
      if (entry.bits.has(key(t))) return;
      entry.bits.set(key(t), bits[i]!);
      entry.bytes += bits[i]!.byteLength;
      // (An entry evicted while a background pass filled it is no longer counted.)
      if (cache.entries.get(sk) === entry) cache.bytes += bits[i]!.byteLength;
    });
    evict(cache, entry);
  }
  const base = targets.map((t) => entry.bits.get(key(t))!);
  if (live.length === 0) return base.map(popcount);
  const bits = base.map((b) => b.slice());
  yield* scan(engine, live, seg, targets, bits);
  return bits.map(popcount);
}
