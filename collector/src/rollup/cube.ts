/**
 * One calendar day's figures: events aggregated by (user, every segment dimension) into columnar
 * rows with a count and the first time seen, plus the day's distinct user ids. Everything the
 * query API answers is derived from these rows, so a day never needs its raw log again.
 * Strings are dictionary ids (0 = absent) and users dense ids, so a row is 56 bytes.
 */
export const DIMS = ['app', 'platform', 'event_type', 'feature', 'app_version', 'url', 'browser', 'os', 'device_type'] as const;
export type Dim = (typeof DIMS)[number];
export const DIM_INDEX: Record<Dim, number> = Object.fromEntries(DIMS.map((d, i) => [d, i])) as Record<Dim, number>;
export const NO_USER = 0xffffffff;
const TYPE = 2;
const FEATURE = 3;

export interface RowSet {
  n: number;
  user: Uint32Array;
  /** One column per entry of DIMS. */
  dims: Uint32Array[];
  count: Uint32Array;
  /** Earliest skew-corrected event time of the row (ms since epoch). */
  first: Float64Array;
}

/** Events per dictionary id of `event_type` and of `feature` (0 = none), for the fast paths. */
export interface Summary {
  types: Map<number, number>;
  features: Map<number, number>;
}

export interface DayCube {
  events: number;
  summary: Summary;
  /** Distinct users of the day (unordered). */
  users: Uint32Array;
  rows: RowSet;
}

export interface CubeBuilder {
  add(user: number, dims: ArrayLike<number>, ms: number, count?: number): void;
  addRows(rows: RowSet): void;
  /** A read-only view; valid until the next `add`. */
  view(): DayCube;
  readonly events: number;
  /**
   * Freezes the rows so far: later events never add to them but go to new rows (a key may then
   * have two rows; every reader sums them). Returns a view of the frozen rows that stays valid, so
   * a rollup can persist it while ingestion goes on.
   */
  seal(): DayCube;
  /** A new builder with only the rows added since the last `seal` (after they were persisted). */
  tail(): CubeBuilder;
}

export function createCubeBuilder(initial = 64): CubeBuilder {
  let cap = initial;
  let n = 0;
  let events = 0;
  let user = shared32(cap);
  let dims = DIMS.map(() => shared32(cap));
  let count = shared32(cap);
  let first = sharedF64(cap);
  // Rows of one user are chained (head per user, next per row): a user has few rows a day, so a
  // short walk comparing nine ints beats building a string key per event. Userless rows use keys.
  // Users are dense ids, so the chain heads are an array indexed by user (−1 = none yet). A day
  // with few users (a late event for a past day) must not allocate an array for the whole user
  // base: ids beyond 32 × (its users + 1024) wait in a Map until the array is worth growing.
  let head = new Int32Array(0);
  const farHead = new Map<number, number>();
  const headOf = (u: number) => (u < head.length ? head[u]! : (farHead.get(u) ?? -1));
  let next = new Int32Array(cap);
  const userless = new Map<string, number>();
  // Counters per dictionary id (dense, small); the Maps of the summary are built on `view()`.
  let typeCount: Float64Array<ArrayBuffer> = new Float64Array(16);
  let featureCount: Float64Array<ArrayBuffer> = new Float64Array(16);
  let summary: Summary | undefined;
  // Append-only (and shared memory): a sealed prefix is handed to the rollup worker as is.
  let users = shared32(initial);
  let nUsers = 0;
  // Rows below `sealed` are frozen (seal()): never matched, so never changed.
  let sealed = 0;

  function grow(): void {
    cap *= 2;
    const u2 = shared32(cap);
    u2.set(user);
    user = u2;
    dims = dims.map((col) => {
      const c2 = shared32(cap);
      c2.set(col);
      return c2;
    });
    const n2 = shared32(cap);
    n2.set(count);
    count = n2;
    const f2 = sharedF64(cap);
    f2.set(first);
    first = f2;
    const x2 = new Int32Array(cap);
    x2.set(next);
    next = x2;
  }

  function find(u: number, d: ArrayLike<number>): number {
    if (u === NO_USER) {
      let key = '';
      for (let i = 0; i < DIMS.length; i++) key += d[i] + ',';
      const r = userless.get(key) ?? -1;
      return r < sealed ? -1 : r;
    }
    // A user's chain runs from their newest row to their oldest: the first frozen row ends it.
    for (let r = headOf(u); r !== -1 && r >= sealed; r = next[r]!) {
      let i = 0;
      while (i < DIMS.length && dims[i]![r] === d[i]) i++;
      if (i === DIMS.length) return r;
    }
    return -1;
  }

  function add(u: number, d: ArrayLike<number>, ms: number, c = 1): void {
    events += c;
    summary = undefined;
    const t = d[TYPE]!;
    if (t >= typeCount.length) typeCount = widen(typeCount, t);
    typeCount[t]! += c;
    const f = d[FEATURE]!;
    if (f >= featureCount.length) featureCount = widen(featureCount, f);
    featureCount[f]! += c;
    const at = find(u, d);
    if (at !== -1) {
      count[at]! += c;
      if (ms < first[at]!) first[at] = ms;
      return;
    }
    if (n === cap) grow();
    user[n] = u;
    for (let i = 0; i < DIMS.length; i++) dims[i]![n] = d[i]!;
    count[n] = c;
    first[n] = ms;
    if (u === NO_USER) {
      let key = '';
      for (let i = 0; i < DIMS.length; i++) key += d[i] + ',';
      userless.set(key, n);
      next[n] = -1;
    } else {
      if (u >= head.length && u < 32 * (nUsers + 1024)) {
        let hc = Math.max(1024, head.length);
        while (hc <= u) hc *= 2;
        const h2 = new Int32Array(hc).fill(-1);
        h2.set(head);
        for (const [fu, r] of farHead) {
          if (fu < hc) {
            h2[fu] = r;
            farHead.delete(fu);
          }
        }
        head = h2;
      }
      const h = headOf(u);
      if (h === -1) {
        if (nUsers === users.length) {
          const b = shared32(users.length * 2);
          b.set(users);
          users = b;
        }
        users[nUsers++] = u;
      }
      next[n] = h;
      if (u < head.length) head[u] = n;
      else farHead.set(u, n);
    }
    n++;
  }

  const view = (): DayCube => ({
    events,
    summary: (summary ??= { types: toMap(typeCount), features: toMap(featureCount) }),
    users: users.subarray(0, nUsers),
    rows: { n, user: user.subarray(0, n), dims: dims.map((c) => c.subarray(0, n)), count: count.subarray(0, n), first: first.subarray(0, n) },
  });

  return {
    add,
    seal() {
      sealed = n;
      // The row columns below `n` and the user list below its length are never written again, and
      // a grow copies them to new arrays, leaving these intact: no copy on the event loop.
      return view();
    },
    tail() {
      const b = createCubeBuilder(Math.max(64, n - sealed));
      const d = new Uint32Array(DIMS.length);
      for (let r = sealed; r < n; r++) {
        for (let i = 0; i < DIMS.length; i++) d[i] = dims[i]![r]!;
        b.add(user[r]!, d, first[r]!, count[r]!);
      }
      return b;
    },
    addRows(rows) {
      const d = new Uint32Array(DIMS.length);
      for (let r = 0; r < rows.n; r++) {
        for (let i = 0; i < DIMS.length; i++) d[i] = rows.dims[i]![r]!;
        add(rows.user[r]!, d, rows.first[r]!, rows.count[r]!);
      }
    },
    view,
    get events() {
      return events;
    },
  };
}

// The row columns live in shared memory: a rollup hands a sealed day's rows to its worker thread
// (worker.ts) without copying them on the event loop (structured cloning ~100 MB of a busy day's
// columns stalled ingestion for hundreds of milliseconds).
const shared32 = (n: number) => new Uint32Array(new SharedArrayBuffer(n * 4));
const sharedF64 = (n: number) => new Float64Array(new SharedArrayBuffer(n * 8));

function widen(a: Float64Array, index: number): Float64Array<ArrayBuffer> {
  let n = a.length;
  while (n <= index) n *= 2;
  const b = new Float64Array(n);
  b.set(a);
  return b;
}

function toMap(counts: Float64Array): Map<number, number> {
  const m = new Map<number, number>();
  for (let i = 0; i < counts.length; i++) if (counts[i] !== 0) m.set(i, counts[i]!);
  return m;
}

/** Rows as a BLOB: f64 first × n, then u32 user, the dim columns and count × n. */
export function encodeRows(rows: RowSet): Buffer {
  const n = rows.n;
  const buf = new ArrayBuffer(n * 8 + n * 4 * (DIMS.length + 2));
  new Float64Array(buf, 0, n).set(rows.first.subarray(0, n));
  const u32 = new Uint32Array(buf, n * 8);
  u32.set(rows.user.subarray(0, n), 0);
  DIMS.forEach((_, i) => u32.set(rows.dims[i]!.subarray(0, n), n * (i + 1)));
  u32.set(rows.count.subarray(0, n), n * (DIMS.length + 1));
  return Buffer.from(buf);
}

export function decodeRows(blob: Uint8Array): RowSet {
  // SQLite hands out unaligned buffers; one copy gives typed arrays their alignment.
  const buf = blob.slice().buffer;
  const n = blob.byteLength / (8 + 4 * (DIMS.length + 2));
  const u32 = new Uint32Array(buf, n * 8);
  return {
    n,
    first: new Float64Array(buf, 0, n),
    user: u32.subarray(0, n),
    dims: DIMS.map((_, i) => u32.subarray(n * (i + 1), n * (i + 2))),
    count: u32.subarray(n * (DIMS.length + 1), n * (DIMS.length + 2)),
  };
}

export function encodeUsers(users: Uint32Array): Buffer {
  const sorted = Uint32Array.from(users).sort();
  return Buffer.from(sorted.buffer, sorted.byteOffset, sorted.byteLength);
}

export function decodeUsers(blob: Uint8Array): Uint32Array {
  return new Uint32Array(blob.slice().buffer);
}

export function encodeSummary(s: Summary): string {
  return JSON.stringify({ types: [...s.types], features: [...s.features] });
}

export function decodeSummary(text: string): Summary {
  const o = JSON.parse(text) as { types: [number, number][]; features: [number, number][] };
  return { types: new Map(o.types), features: new Map(o.features) };
}
