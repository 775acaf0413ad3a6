import type { StepView } from './step-view.js';

/**
 * The union of two lists of one step and day, as a view: what `mergeTimes` gives, without decoding
 * either list into fresh arrays and encoding the result again. A day that late events were appended
 * to holds one list per part (stage.ts), and a day with live events adds the overlay's: a part is
 * tiny beside the day's list (a few hundred bytes against 750 KB of page views), so the runs of
 * users only in the larger list are block-copied and only users in both are merged time by time.
 * Per user the times stay ascending by (time, global segment id) with no (time, segment) twice,
 * as in `mergeTimes`. (Merging the 31 two-part days of a broad 90-day funnel through `mergeTimes`
 * cost ≈ 3 s of the first query's main thread; see docs/benchmarks.md.)
 */
/**
 * Arrays a merge may write into instead of fresh ones, grown as needed and reused: a merged list
 * that is only walked, not kept, then costs no fresh memory (on a broad 90-day funnel the merged
 * lists' fresh pages were ≈ 13,000 page faults of the walker's thread).
 */
export interface MergeScratch {
  users: Uint32Array;
  counts: Uint32Array;
  t: Uint32Array;
  local: Uint8Array;
}

export function createMergeScratch(): MergeScratch {
  return { users: new Uint32Array(0), counts: new Uint32Array(0), t: new Uint32Array(0), local: new Uint8Array(0) };
}

const room = (n: number) => Math.ceil(n * 1.25) + 1024;

export function mergeViews(a: StepView, b: StepView, into?: MergeScratch): StepView {
  if (b.users.length === 0) return a;
  if (a.users.length === 0) return b;
  // Segments: a's first (its local indexes stay as they are), then b's not in a.
  const segs: number[] = Array.from(a.segs);
  const bLocal = new Uint32Array(b.segs.length);
  b.segs.forEach((g, k) => {
    let l = segs.indexOf(g);
    if (l === -1) l = segs.push(g) - 1;
    bLocal[k] = l;
  });
  const base = Math.min(a.base, b.base);
  const da = a.base - base;
  const db = b.base - base;
  // Times are u32 ms after the base (a day spans at most 25 h): a shifted list must still fit.
  const fits = (s: StepView, d: number) => {
    if (d === 0) return true;
    let max = 0;
    for (let x = 0; x < s.t.length; x++) if (s.t[x]! > max) max = s.t[x]!;
    return max + d <= 0xffff_ffff;
  };
  if (!fits(a, da) || !fits(b, db)) throw new Error('funnel index: merged lists span more than the encoding holds');
  const na = a.users.length;
  const nb = b.users.length;
  const mt = a.t.length + b.t.length;
  let users: Uint32Array;
  let counts: Uint32Array;
  let t: Uint32Array;
  let local: Uint8Array | Uint16Array | Uint32Array;
  const scratch = into !== undefined && segs.length <= 0x100;
  if (scratch) {
    if (into.users.length < na + nb) {
      into.users = new Uint32Array(room(na + nb));
      into.counts = new Uint32Array(room(na + nb));
    }
    if (into.t.length < mt) {
      into.t = new Uint32Array(room(mt));
      into.local = new Uint8Array(room(mt));
    }
    ({ users, counts, t, local } = into!);
  } else {
    users = new Uint32Array(na + nb);
    counts = new Uint32Array(na + nb);
    t = new Uint32Array(mt);
    local = segs.length <= 0x100 ? new Uint8Array(mt) : segs.length <= 0x10000 ? new Uint16Array(mt) : new Uint32Array(mt);
  }
  let n = 0;
  let m = 0;
  let i = 0;
  let pa = 0;
  let pb = 0;
  /** a's users [i, to) as they are: a block copy (times shifted when the base moved). */
  const copyA = (to: number) => {
    if (to === i) return;
    users.set(a.users.subarray(i, to), n);
    counts.set(a.counts.subarray(i, to), n);
    let c = 0;
    for (let x = i; x < to; x++) c += a.counts[x]!;
    if (da === 0) t.set(a.t.subarray(pa, pa + c), m);
    else for (let x = 0; x < c; x++) t[m + x] = a.t[pa + x]! + da;
    local.set(a.local.subarray(pa, pa + c), m);
    n += to - i;
    m += c;
    pa += c;
    i = to;
  };
  for (let j = 0; j < nb; j++) {
    const u = b.users[j]!;
    copyA(lowerBound(a.users, u, i));
    const cb = b.counts[j]!;
    users[n] = u;
    const m0 = m;
    if (i < na && a.users[i] === u) {
      // In both: merged by (time, global segment), equal pairs once.
      let x = pa;
      let y = pb;
      const xe = pa + a.counts[i]!;
      const ye = pb + cb;
      while (x < xe || y < ye) {
        let tv: number;
        let sv: number;
        const ta = x < xe ? a.t[x]! + da : Infinity;
        const tb = y < ye ? b.t[y]! + db : Infinity;
        const sa = x < xe ? a.segs[a.local[x]!]! : 0;
        const sb = y < ye ? b.segs[b.local[y]!]! : 0;
        if (ta < tb || (ta === tb && sa <= sb)) {
          tv = ta;
          sv = a.local[x++]!;
        } else {
          tv = tb;
          sv = bLocal[b.local[y++]!]!;
        }
        if (m > m0 && t[m - 1] === tv && segs[local[m - 1]!] === segs[sv]) continue;
        t[m] = tv;
        local[m++] = sv;
      }
      pa = xe;
      i++;
    } else {
      for (let y = pb; y < pb + cb; y++) {
        t[m] = b.t[y]! + db;
        local[m++] = bLocal[b.local[y]!]!;
      }
    }
    counts[n++] = m - m0;
    pb += cb;
  }
  copyA(na);
  const segIds = Uint32Array.from(segs);
  // In a scratch: nothing of its own to account for (it is not to be cached).
  const bytes = scratch ? 256 : users.byteLength + counts.byteLength + t.byteLength + local.byteLength + segIds.byteLength + 256;
  return {
    users: users.subarray(0, n),
    counts: counts.subarray(0, n),
    base,
    t: t.subarray(0, m),
    local: local.subarray(0, m),
    segs: segIds,
    bytes,
  };
}

/** First index ≥ `from` whose user is ≥ `u` (a gallop, then a binary search: b's users are few). */
function lowerBound(users: Uint32Array, u: number, from: number): number {
  let lo = from;
  let step = 1;
  let hi = from;
  while (hi < users.length && users[hi]! < u) {
    lo = hi + 1;
    hi += step;
    step *= 2;
  }
  if (hi > users.length) hi = users.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (users[mid]! < u) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
