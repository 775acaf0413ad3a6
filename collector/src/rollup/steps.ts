import { DIM_INDEX, NO_USER, type RowSet } from './cube.js';

/**
 * The funnel's view of one day, computed at rollup time: for every (event type, feature) pair and
 * every event type alone (feature 0 = any), the users who did it that day, sorted, with the time
 * of their first such event. A funnel then reads a few small BLOBs per day instead of decoding the
 * day's whole row set (56 bytes per row), which made a cold 90-day funnel take seconds.
 */
export interface StepUsers {
  /** Ascending user ids. */
  users: Uint32Array;
  /** First time (ms) of the step that day, per user. */
  first: Float64Array;
}

export interface StepEntry extends StepUsers {
  type: number;
  /** 0 = any feature. */
  feature: number;
}

export const EMPTY_STEP: StepUsers = { users: new Uint32Array(0), first: new Float64Array(0) };

interface Acc {
  users: number[];
  first: number[];
}

/** Every step list of a day's rows (users in ascending order). */
export function buildSteps(rows: RowSet): StepEntry[] {
  const T = rows.dims[DIM_INDEX.event_type]!;
  const F = rows.dims[DIM_INDEX.feature]!;
  // Counting sort of the rows by user: each user's rows become one short run.
  let maxU = -1;
  for (let r = 0; r < rows.n; r++) {
    const u = rows.user[r]!;
    if (u !== NO_USER && u > maxU) maxU = u;
  }
  const start = new Uint32Array(maxU + 2);
  for (let r = 0; r < rows.n; r++) {
    const u = rows.user[r]!;
    if (u !== NO_USER) start[u + 1]!++;
  }
  for (let u = 0; u <= maxU; u++) start[u + 1]! += start[u]!;
  const order = new Uint32Array(start[maxU + 1] ?? 0);
  const fill = start.slice(0, maxU + 1);
  for (let r = 0; r < rows.n; r++) {
    const u = rows.user[r]!;
    if (u !== NO_USER) order[fill[u]!++] = r;
  }

  const byType = new Map<number, Map<number, Acc>>();
  const accOf = (t: number, f: number): Acc => {
    let m = byType.get(t);
    if (m === undefined) byType.set(t, (m = new Map()));
    let a = m.get(f);
    if (a === undefined) m.set(f, (a = { users: [], first: [] }));
    return a;
  };
  // One user's distinct (type, feature) keys with their earliest time; a user has a handful.
  const kt: number[] = [];
  const kf: number[] = [];
  const km: number[] = [];
  const note = (t: number, f: number, ms: number) => {
    for (let i = 0; i < kt.length; i++) {
      if (kt[i] === t && kf[i] === f) {
        if (ms < km[i]!) km[i] = ms;
        return;
      }
    }
    kt.push(t);
    kf.push(f);
    km.push(ms);
  };
  for (let u = 0; u <= maxU; u++) {
    const a = start[u]!;
    const b = start[u + 1]!;
    if (a === b) continue;
    kt.length = kf.length = km.length = 0;
    for (let i = a; i < b; i++) {
      const r = order[i]!;
      const t = T[r]!;
      const f = F[r]!;
      const ms = rows.first[r]!;
      note(t, 0, ms);
      if (f !== 0) note(t, f, ms);
    }
    for (let i = 0; i < kt.length; i++) {
      const acc = accOf(kt[i]!, kf[i]!);
      acc.users.push(u);
      acc.first.push(km[i]!);
    }
  }
  const out: StepEntry[] = [];
  for (const [type, m] of byType) {
    for (const [feature, a] of m) out.push({ type, feature, users: Uint32Array.from(a.users), first: Float64Array.from(a.first) });
  }
  return out;
}

/** f64 first × n, then u32 users × n. */
export function encodeStep(s: StepUsers): Buffer {
  const n = s.users.length;
  const buf = Buffer.alloc(n * 12);
  new Float64Array(buf.buffer, buf.byteOffset, n).set(s.first);
  new Uint32Array(buf.buffer, buf.byteOffset + n * 8, n).set(s.users);
  return buf;
}

export function decodeStep(blob: Uint8Array): StepUsers {
  // SQLite hands out unaligned buffers; one copy gives typed arrays their alignment.
  const buf = blob.slice().buffer;
  const n = blob.byteLength / 12;
  return { first: new Float64Array(buf, 0, n), users: new Uint32Array(buf, n * 8, n) };
}
