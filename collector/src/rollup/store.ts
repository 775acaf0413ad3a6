import { decodeRows, decodeSummary, decodeUsers, encodeSummary, type DayCube, type RowSet, type Summary } from './cube.js';
import type { Db } from './db.js';
import { decodeValues, encodeValues, valuesOfRows } from './dims.js';
import { decodeStep, EMPTY_STEP, encodeStep, mergeTimes, type StepLog } from './steps.js';
import { encodeJob, type Encoded, type EncodedStep } from './encode.js';

const EMPTY_STEP_BLOB = encodeStep(EMPTY_STEP);

/** What a rollup writes of a day: counters and the encoded rows (encode.ts). */
export interface DayWrite {
  events: number;
  summary: Summary;
  /** The day's distinct dictionary ids per dimension (dims.ts). */
  values: Uint32Array[];
  enc: Encoded;
}

/** The funnel index lists of a step log, encoded (on the event loop: the log is not transferable). */
export function encodeSteps(steps: StepLog): EncodedStep[] {
  return steps.build().map((s) => ({ type: s.type, feature: s.feature, data: encodeStep(s) }));
}

/** A day's cube encoded in-process (rebuilds; the nightly rollup encodes in a worker). */
export function encodeCube(cube: DayCube, values: Uint32Array[], steps: StepLog): DayWrite {
  const enc = encodeJob({ mode: 'whole', rows: [cube.rows], users: cube.users });
  return { events: cube.events, summary: cube.summary, values, enc: { ...enc, steps: encodeSteps(steps) } };
}

export interface DayMeta {
  events: number;
  users: number;
  summary: Summary;
  /** True when the day's funnel index (`day_steps`) exists. */
  steps: boolean;
}

/**
 * Persisted day rollups and the bookkeeping that says which raw events they already hold:
 * `coverage(receipt_day, day, events)` = the first `events` events of day `day` in log file
 * `receipt_day` are in the rollup (log files are append-only, so "first n" is well defined), and
 * `receipts.complete` = every event of that log file is. Decoded BLOBs are kept in a small LRU.
 */
export interface DayStore {
  readonly meta: Map<string, DayMeta>;
  /** The day's rows: the base row set, then the parts appended by later rollups. */
  rows(day: string): RowSet[] | undefined;
  /** How many parts were appended since the day's rows were last written whole. */
  partCount(day: string): number;
  /**
   * Appends events not yet in the day as a part of an already rolled-up day: `w.enc` encodes only
   * them, `w.events` counts them; `w.summary` and `w.values` are the day's after it, and `users`
   * its distinct users after it (sorted).
   * The part's funnel step lists are merged into the day's index.
   */
  addPart(day: string, w: DayWrite, users: Uint32Array, rolledAt: string): void;
  users(day: string): Uint32Array | undefined;
  /** One step's list that day (feature 0 = any) as stored (`encodeStep`; read with `viewStep` or
   *  `decodeStep`); `EMPTY_STEP_BLOB` when nobody did it, undefined when the day has no funnel index. */
  stepBlob(day: string, type: number, feature: number): Uint8Array | undefined;
  /** Adds the day's persisted funnel index to `into` (its rows' first times when it has none). */
  loadSteps(day: string, into: StepLog): void;
  /** The day's distinct dictionary ids per dimension (dims.ts). */
  values(day: string): Uint32Array[] | undefined;
  /** Writes the day whole (its parts go), with its funnel index `w.enc.steps`. */
  write(day: string, w: DayWrite, rolledAt: string): void;
  remove(day: string): void;
  coverage(receiptDay: string): Map<string, number>;
  addCoverage(receiptDay: string, day: string, events: number): void;
  setCoverage(receiptDay: string, day: string, events: number): void;
  clearCoverage(day: string): void;
  receiptsOf(day: string): string[];
  isComplete(receiptDay: string): boolean;
  markComplete(receiptDay: string): void;
  getMeta(key: string): string | undefined;
  setMeta(key: string, value: string): void;
  /** Forgets everything (before a full rebuild). */
  clear(): void;
}

// Decoded BLOBs kept in memory. User sets are 4 bytes per active user: 192 MB holds 365 days of
// ~130,000 daily users, so `usage?days=365`, timeseries and retention never wait on SQLite once
// warm. Row sets are large (56 bytes per row) and only the filtered paths read them.
const CACHE_USER_BYTES = 192 * 1024 * 1024;
const CACHE_ROW_DAYS = 32;

export function createDayStore(db: Db): DayStore {
  const meta = new Map<string, DayMeta>();
  const all = db.prepare('SELECT day, events, users, summary, steps FROM days ORDER BY day').all() as { day: string; events: number; users: number; summary: string; steps: number }[];
  for (const r of all) meta.set(r.day, { events: r.events, users: r.users, summary: decodeSummary(r.summary), steps: r.steps === 1 });
  const rowCache = new Map<string, RowSet[]>();
  const partCounts = new Map<string, number>();
  for (const r of db.prepare('SELECT day, COUNT(*) n FROM day_parts GROUP BY day').all() as { day: string; n: number }[]) partCounts.set(r.day, r.n);
  const userCache = new Map<string, Uint32Array>();
  const complete = new Set((db.prepare('SELECT receipt_day FROM receipts WHERE complete = 1').pluck().all() as string[]));

  const q = {
    rows: db.prepare('SELECT rows FROM days WHERE day = ?').pluck(),
    users: db.prepare('SELECT user_ids FROM days WHERE day = ?').pluck(),
    write: db.prepare(
      'INSERT OR REPLACE INTO days (day, events, users, summary, user_ids, rows, rolled_at, steps) VALUES (?, ?, ?, ?, ?, ?, ?, 1)',
    ),
    values: db.prepare('SELECT data FROM day_values WHERE day = ?').pluck(),
    putValues: db.prepare('INSERT OR REPLACE INTO day_values (day, data) VALUES (?, ?)'),
    removeValues: db.prepare('DELETE FROM day_values WHERE day = ?'),
    parts: db.prepare('SELECT rows FROM day_parts WHERE day = ? ORDER BY rowid').pluck(),
    addPart: db.prepare('INSERT INTO day_parts (day, rows) VALUES (?, ?)'),
    removeParts: db.prepare('DELETE FROM day_parts WHERE day = ?'),
    putStep: db.prepare('INSERT OR REPLACE INTO day_steps (day, type, feature, data) VALUES (?, ?, ?, ?)'),
    updateDay: db.prepare(
      'UPDATE days SET events = ?, users = ?, summary = ?, user_ids = ?, rolled_at = ? WHERE day = ?',
    ),
    remove: db.prepare('DELETE FROM days WHERE day = ?'),
    step: db.prepare('SELECT data FROM day_steps WHERE day = ? AND type = ? AND feature = ?').pluck(),
    daySteps: db.prepare('SELECT type, feature, data FROM day_steps WHERE day = ?'),
    writeStep: db.prepare('INSERT INTO day_steps (day, type, feature, data) VALUES (?, ?, ?, ?)'),
    removeSteps: db.prepare('DELETE FROM day_steps WHERE day = ?'),
    coverage: db.prepare('SELECT day, events FROM coverage WHERE receipt_day = ?'),
    addCov: db.prepare(
      'INSERT INTO coverage (receipt_day, day, events) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET events = events + excluded.events',
    ),
    setCov: db.prepare('INSERT OR REPLACE INTO coverage (receipt_day, day, events) VALUES (?, ?, ?)'),
    clearCov: db.prepare('DELETE FROM coverage WHERE day = ?'),
    receiptsOf: db.prepare('SELECT receipt_day FROM coverage WHERE day = ?').pluck(),
    complete: db.prepare('INSERT OR REPLACE INTO receipts (receipt_day, complete) VALUES (?, 1)'),
    getMeta: db.prepare('SELECT value FROM meta WHERE key = ?').pluck(),
    setMeta: db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)'),
  };

  let userBytes = 0;
  const dropUsers = (day: string) => {
    const u = userCache.get(day);
    if (u === undefined) return;
    userBytes -= u.byteLength;
    userCache.delete(day);
  };

  function cached<T>(cache: Map<string, T>, day: string, load: () => T | undefined, cap: number): T | undefined {
    const hit = cache.get(day);
    if (hit !== undefined) {
      cache.delete(day);
      cache.set(day, hit);
      return hit;
    }
    const v = load();
    if (v === undefined) return undefined;
    cache.set(day, v);
    if (cache.size > cap) cache.delete(cache.keys().next().value!);
    return v;
  }

  function cachedUsers(day: string): Uint32Array {
    const hit = userCache.get(day);
    if (hit !== undefined) {
      userCache.delete(day);
      userCache.set(day, hit);
      return hit;
    }
    const v = decodeUsers(q.users.get(day) as Buffer);
    userCache.set(day, v);
    userBytes += v.byteLength;
    while (userBytes > CACHE_USER_BYTES && userCache.size > 1) dropUsers(userCache.keys().next().value!);
    return v;
  }

  return {
    meta,
    rows: (day) =>
      meta.has(day)
        ? cached(
            rowCache,
            day,
            () => [decodeRows(q.rows.get(day) as Buffer), ...(q.parts.all(day) as Buffer[]).map(decodeRows)],
            CACHE_ROW_DAYS,
          )
        : undefined,
    partCount: (day) => partCounts.get(day) ?? 0,
    addPart(day, w, users, rolledAt) {
      const m = meta.get(day)!;
      const blob = w.enc.rowsBlob;
      q.addPart.run(day, blob);
      const events = m.events + w.events;
      q.updateDay.run(events, users.length, encodeSummary(w.summary), Buffer.from(users.buffer, users.byteOffset, users.byteLength), rolledAt, day);
      q.putValues.run(day, encodeValues(w.values));
      // The funnel index stays whole: each of the part's step lists is merged into the day's.
      if (m.steps) {
        for (const st of w.enc.steps) {
          const old = q.step.get(day, st.type, st.feature) as Buffer | undefined;
          q.putStep.run(day, st.type, st.feature, old === undefined ? st.data : encodeStep(mergeTimes(decodeStep(old), decodeStep(st.data))));
        }
      }
      meta.set(day, { events, users: users.length, summary: w.summary, steps: m.steps });
      partCounts.set(day, (partCounts.get(day) ?? 0) + 1);
      // The cached base rows stay valid: only the new part is decoded on the next read.
      const hit = rowCache.get(day);
      if (hit !== undefined) rowCache.set(day, [...hit, decodeRows(blob)]);
      dropUsers(day);
    },
    users: (day) => (meta.has(day) ? cachedUsers(day) : undefined),
    stepBlob(day, type, feature) {
      if (meta.get(day)?.steps !== true) return undefined;
      return (q.step.get(day, type, feature) as Buffer | undefined) ?? EMPTY_STEP_BLOB;
    },
    loadSteps(day, into) {
      if (meta.get(day)?.steps === true) {
        for (const r of q.daySteps.all(day) as { type: number; feature: number; data: Buffer }[]) into.addEntry({ type: r.type, feature: r.feature, ...decodeStep(r.data) });
      } else if (meta.has(day)) {
        for (const rows of this.rows(day)!) into.addRows(rows);
      }
    },
    values(day) {
      if (!meta.has(day)) return undefined;
      const blob = q.values.get(day) as Buffer | undefined;
      return blob === undefined ? valuesOfRows(this.rows(day)!) : decodeValues(blob);
    },
    write(day, w, rolledAt) {
      q.write.run(day, w.events, w.enc.users, encodeSummary(w.summary), w.enc.usersBlob, w.enc.rowsBlob, rolledAt);
      q.putValues.run(day, encodeValues(w.values));
      q.removeSteps.run(day);
      q.removeParts.run(day);
      partCounts.delete(day);
      for (const st of w.enc.steps) q.writeStep.run(day, st.type, st.feature, st.data);
      meta.set(day, { events: w.events, users: w.enc.users, summary: w.summary, steps: true });
      rowCache.delete(day);
      dropUsers(day);
    },
    remove(day) {
      q.remove.run(day);
      q.removeSteps.run(day);
      q.removeParts.run(day);
      q.removeValues.run(day);
      partCounts.delete(day);
      meta.delete(day);
      rowCache.delete(day);
      dropUsers(day);
    },
    coverage: (r) => new Map((q.coverage.all(r) as { day: string; events: number }[]).map((x) => [x.day, x.events])),
    addCoverage: (r, day, n) => void q.addCov.run(r, day, n),
    setCoverage: (r, day, n) => void q.setCov.run(r, day, n),
    clearCoverage: (day) => void q.clearCov.run(day),
    receiptsOf: (day) => q.receiptsOf.all(day) as string[],
    isComplete: (r) => complete.has(r),
    markComplete(r) {
      q.complete.run(r);
      complete.add(r);
    },
    getMeta: (key) => q.getMeta.get(key) as string | undefined,
    setMeta: (key, value) => void q.setMeta.run(key, value),
    clear() {
      db.exec('DELETE FROM days; DELETE FROM day_steps; DELETE FROM day_parts; DELETE FROM day_values; DELETE FROM coverage; DELETE FROM receipts;');
      partCounts.clear();
      meta.clear();
      rowCache.clear();
      userCache.clear();
      userBytes = 0;
      complete.clear();
    },
  };
}
