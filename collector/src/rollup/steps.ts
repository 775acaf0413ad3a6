import { DIM_INDEX, NO_USER, type RowSet } from './cube.js';

/**
 * The funnel index of one day: for every (event type, feature) pair and every event type alone
 * (feature 0 = any), the users who did it that day, ascending, each with *every* distinct time
 * they did it (and the segment of each time, for filtered funnels). Exact funnels (ClickHouse's
 * `windowFunnel`) need all occurrence times, not the first one per day: a step repeated after a
 * later step can still complete a chain.
 */
export interface StepTimes {
  /** Ascending user ids. */
  users: Uint32Array;
  /** User i's times are times[at[i] .. at[i + 1]); length users.length + 1. */
  at: Uint32Array;
  /** Per user ascending by (time, segment), no (time, segment) twice. Ms since the epoch. */
  times: Float64Array;
  /** Segment id (see `segmentId`) of each time. */
  segs: Uint32Array;
}

export interface StepEntry extends StepTimes {
  type: number;
  /** 0 = any feature. */
  feature: number;
}

export const EMPTY_STEP: StepTimes = { users: new Uint32Array(0), at: new Uint32Array(1), times: new Float64Array(0), segs: new Uint32Array(0) };

// Segments are the (app, platform, app_version) dictionary ids of an event: what a funnel filter
// can ask for besides the step's own type and feature. Interned process-wide (a handful exist), so
// lists from different days and from the live overlay compare and merge without remapping.
const segIds = new Map<string, number>();
const segTriples: number[] = [];

export function segmentId(app: number, platform: number, version: number): number {
  const k = `${app},${platform},${version}`;
  let id = segIds.get(k);
  if (id === undefined) {
    id = segTriples.length / 3;
    segTriples.push(app, platform, version);
    segIds.set(k, id);
  }
  return id;
}

/** Every segment's triple in id order (a worker thread maps these ids to its own: `segmentMap`). */
export function segmentTriples(): number[] {
  return segTriples.slice();
}

/** Ids in this thread of the segments of another thread's `segmentTriples()`, by their id there. */
export function segmentMap(triples: number[]): Uint32Array {
  const map = new Uint32Array(triples.length / 3);
  for (let i = 0; i < map.length; i++) map[i] = segmentId(triples[i * 3]!, triples[i * 3 + 1]!, triples[i * 3 + 2]!);
  return map;
}

/** [app, platform, app_version] dictionary ids of a segment. */
export function segmentOf(id: number): [number, number, number] {
  return [segTriples[id * 3]!, segTriples[id * 3 + 1]!, segTriples[id * 3 + 2]!];
}

/** The step lists of a day being built: events (or persisted lists) go in, lists come out. */
export interface StepLog {
  /** An event of a user: it counts for (type, any feature) and, when feature ≠ 0, (type, feature). */
  add(user: number, type: number, feature: number, ms: number, seg: number): void;
  /** Every time of an existing list, for exactly its own key. */
  addEntry(e: StepEntry): void;
  /** Each row's user and first time (days rolled up before the exact index: not every time is known). */
  addRows(rows: RowSet): void;
  /** Times held (for memory accounting and "anything here?"). */
  readonly size: number;
  /** Every list. */
  build(): StepEntry[];
  /** One list (feature 0 = any), for a query on a day with live events. */
  entry(type: number, feature: number): StepTimes;
  /** The columns (shared memory) for a worker thread: `stepLogFrom` there. Valid while nothing is added. */
  data(): StepLogData;
}

export interface StepLogData {
  n: number;
  user: Uint32Array;
  type: Uint32Array;
  feature: Uint32Array;
  seg: Uint32Array;
  ms: Float64Array;
}

// Shared memory, like the cube's rows: a sealed log goes to the rollup worker without a copy.
const shared32 = (n: number) => new Uint32Array(new SharedArrayBuffer(n * 4));
const sharedF64 = (n: number) => new Float64Array(new SharedArrayBuffer(n * 8));

/** A log over another thread's columns (read, never written: an add copies them first); `segs` maps its segment ids. */
export function stepLogFrom(d: StepLogData, segs?: Uint32Array): StepLog {
  const seg = segs === undefined ? d.seg : d.seg.subarray(0, d.n).map((s) => segs[s]!);
  return createStepLog(0, { ...d, seg });
}

// Bit 31 of a stored type marks a time that counts for exactly its (type, feature) key.
const EXACT = 0x8000_0000;

export function createStepLog(initial = 1024, from?: StepLogData): StepLog {
  // Over `from`: capacity = its length, so the first add copies instead of writing into it.
  let cap = from?.n ?? initial;
  let n = from?.n ?? 0;
  let user = from?.user ?? shared32(cap);
  let type = from?.type ?? shared32(cap);
  let feature = from?.feature ?? shared32(cap);
  let seg = from?.seg ?? shared32(cap);
  let ms = from?.ms ?? sharedF64(cap);

  function push(u: number, t: number, f: number, m: number, s: number): void {
    if (n === cap) {
      cap = Math.max(1024, cap * 2);
      const grow32 = (a: Uint32Array) => {
        const b = shared32(cap);
        b.set(a.subarray(0, n));
        return b;
      };
      user = grow32(user);
      type = grow32(type);
      feature = grow32(feature);
      seg = grow32(seg);
      const m2 = sharedF64(cap);
      m2.set(ms.subarray(0, n));
      ms = m2;
    }
    user[n] = u;
    type[n] = t;
    feature[n] = f;
    seg[n] = s;
    ms[n] = m;
    n++;
  }

  /** Lists of the selected entries (all when `sel` is undefined), only key `want` if given. */
  function group(sel: Uint32Array | undefined, want?: { type: number; feature: number }): StepEntry[] {
    const count = sel === undefined ? n : sel.length;
    const at = (i: number) => (sel === undefined ? i : sel[i]!);
    // Counting sort by user: each user's entries become one short run.
    let maxU = -1;
    for (let i = 0; i < count; i++) if (user[at(i)]! > maxU) maxU = user[at(i)]!;
    const start = new Uint32Array(maxU + 2);
    for (let i = 0; i < count; i++) start[user[at(i)]! + 1]!++;
    for (let u = 0; u <= maxU; u++) start[u + 1]! += start[u]!;
    const order = new Uint32Array(count);
    const fill = start.slice(0, maxU + 1);
    for (let i = 0; i < count; i++) order[fill[user[at(i)]!]!++] = at(i);

    const byKey = new Map<number, Map<number, Acc>>();
    const accOf = (t: number, f: number): Acc => {
      let m = byKey.get(t);
      if (m === undefined) byKey.set(t, (m = new Map()));
      let a = m.get(f);
      if (a === undefined) m.set(f, (a = { users: [], at: [], times: [], segs: [], last: -1 }));
      return a;
    };
    const put = (a: Acc, u: number, m: number, s: number) => {
      if (a.last !== u) {
        a.last = u;
        a.users.push(u);
        a.at.push(a.times.length);
      } else if (a.times[a.times.length - 1] === m && a.segs[a.segs.length - 1] === s) return;
      a.times.push(m);
      a.segs.push(s);
    };
    const before = (x: number, y: number) => ms[x]! < ms[y]! || (ms[x] === ms[y] && seg[x]! < seg[y]!);
    for (let u = 0; u <= maxU; u++) {
      const a = start[u]!;
      const b = start[u + 1]!;
      if (a === b) continue;
      // A user's events mostly arrive in time order: insertion sort is linear then.
      const run = order.subarray(a, b);
      if (run.length > 64) run.sort((x, y) => ms[x]! - ms[y]! || seg[x]! - seg[y]!);
      else {
        for (let i = 1; i < run.length; i++) {
          const x = run[i]!;
          let j = i - 1;
          while (j >= 0 && before(x, run[j]!)) {
            run[j + 1] = run[j]!;
            j--;
          }
          run[j + 1] = x;
        }
      }
      for (let i = 0; i < run.length; i++) {
        const e = run[i]!;
        const t = type[e]!;
        const f = feature[e]!;
        const m = ms[e]!;
        const s = seg[e]!;
        if ((t & EXACT) !== 0) {
          const tt = t & ~EXACT;
          if (want === undefined || (want.type === tt && want.feature === f)) put(accOf(tt, f), u, m, s);
          continue;
        }
        if (want === undefined || (want.type === t && want.feature === 0)) put(accOf(t, 0), u, m, s);
        if (f !== 0 && (want === undefined || (want.type === t && want.feature === f))) put(accOf(t, f), u, m, s);
      }
    }
    const out: StepEntry[] = [];
    for (const [t, m] of byKey) {
      for (const [f, a] of m) {
        a.at.push(a.times.length);
        out.push({ type: t, feature: f, users: Uint32Array.from(a.users), at: Uint32Array.from(a.at), times: Float64Array.from(a.times), segs: Uint32Array.from(a.segs) });
      }
    }
    return out;
  }

  return {
    add(u, t, f, m, s) {
      if (u !== NO_USER) push(u, t, f, m, s);
    },
    addEntry(e) {
      for (let i = 0; i < e.users.length; i++) {
        for (let j = e.at[i]!; j < e.at[i + 1]!; j++) push(e.users[i]!, (e.type | EXACT) >>> 0, e.feature, e.times[j]!, e.segs[j]!);
      }
    },
    addRows(rows) {
      const T = rows.dims[DIM_INDEX.event_type]!;
      const F = rows.dims[DIM_INDEX.feature]!;
      const A = rows.dims[DIM_INDEX.app]!;
      const P = rows.dims[DIM_INDEX.platform]!;
      const V = rows.dims[DIM_INDEX.app_version]!;
      for (let r = 0; r < rows.n; r++) {
        const u = rows.user[r]!;
        if (u !== NO_USER) push(u, T[r]!, F[r]!, rows.first[r]!, segmentId(A[r]!, P[r]!, V[r]!));
      }
    },
    get size() {
      return n;
    },
    build: () => group(undefined),
    data: () => ({ n, user, type, feature, seg, ms }),
    entry(t, f) {
      const sel: number[] = [];
      for (let i = 0; i < n; i++) {
        const x = type[i]!;
        if (x === t ? f === 0 || feature[i] === f : x === ((t | EXACT) >>> 0) && feature[i] === f) sel.push(i);
      }
      return group(Uint32Array.from(sel), { type: t, feature: f })[0] ?? EMPTY_STEP;
    },
  };
}

interface Acc {
  users: number[];
  at: number[];
  times: number[];
  segs: number[];
  last: number;
}

/** Union of two lists of the same step (a rolled-up day and its late events). */
export function mergeTimes(a: StepTimes, b: StepTimes): StepTimes {
  if (b.users.length === 0) return a;
  if (a.users.length === 0) return b;
  const users: number[] = [];
  const at: number[] = [];
  const times: number[] = [];
  const segs: number[] = [];
  let i = 0;
  let j = 0;
  const copy = (s: StepTimes, k: number) => {
    for (let x = s.at[k]!; x < s.at[k + 1]!; x++) {
      times.push(s.times[x]!);
      segs.push(s.segs[x]!);
    }
  };
  while (i < a.users.length || j < b.users.length) {
    const ua = i < a.users.length ? a.users[i]! : Infinity;
    const ub = j < b.users.length ? b.users[j]! : Infinity;
    users.push(Math.min(ua, ub));
    at.push(times.length);
    if (ua < ub) copy(a, i++);
    else if (ub < ua) copy(b, j++);
    else {
      let x = a.at[i]!;
      let y = b.at[j]!;
      const xe = a.at[i + 1]!;
      const ye = b.at[j + 1]!;
      while (x < xe || y < ye) {
        const takeA = y >= ye || (x < xe && (a.times[x]! < b.times[y]! || (a.times[x] === b.times[y] && a.segs[x]! <= b.segs[y]!)));
        const t = takeA ? a.times[x]! : b.times[y]!;
        const s = takeA ? a.segs[x++]! : b.segs[y++]!;
        const last = times.length - 1;
        if (last >= at[at.length - 1]! && times[last] === t && segs[last] === s) continue;
        times.push(t);
        segs.push(s);
      }
      i++;
      j++;
    }
  }
  at.push(times.length);
  return { users: Uint32Array.from(users), at: Uint32Array.from(at), times: Float64Array.from(times), segs: Uint32Array.from(segs) };
}
