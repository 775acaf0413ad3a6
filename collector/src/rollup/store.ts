import { buildIndex, splitIndex } from './breakdown-index.js';
import { decodeSummary, decodeUsers, encodeSummary, type RowSet, type Summary } from './cube.js';
import type { Db } from './db.js';
import { decodeValues, encodeValues, valuesOfRows } from './dims.js';
import { allStepKeys, readRows, readUsers, writeDay, type Garbage, type Head, type Staged } from './stage.js';
import type { StepLog } from './steps.js';
// better-sqlite3 binds a Buffer as a BLOB, not a bare Uint8Array (what a worker's reply holds).
const asBlob = (a: Uint8Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
const EMPTY = Buffer.alloc(0);

/** A day written whole on this connection (rebuilds): its rows, users and step log. */
export interface DayWrite {
  events: number;
  summary: Summary;
  /** The day's distinct dictionary ids per dimension (dims.ts). */
  values: Uint32Array[];
  rows: RowSet;
  users: Uint32Array;
  steps: StepLog;
}

/** What the main thread commits of a day the rollup worker staged (stage.ts). */
export interface DayCommit {
  events: number;
  summary: Summary;
  values: Uint32Array[];
  staged: Staged;
  /** The new rows, when they were appended as a part (kept in the row cache instead of re-read). */
  part?: RowSet;
}

export interface DayMeta {
  events: number;
  users: number;
  summary: Summary;
  /** True when the day's funnel index (`day_steps`) exists. */
  steps: boolean;
  /** Which rows and index keys make up the day (stage.ts). */
  head: Head;
}

/**
 * Persisted day rollups and the bookkeeping that says which raw events they already hold:
 * `coverage(receipt_day, day, events)` = the first `events` events of day `day` in log file
 * `receipt_day` are in the rollup (log files are append-only, so "first n" is well defined), and
 * `receipts.complete` = every event of that log file is. Decoded BLOBs are kept in a small LRU.
 */
export interface DayStore {
  readonly meta: Map<string, DayMeta>;
  /** Path of the database file (a funnel's step reader opens it on a connection of its own). */
  readonly file: string;
  /** The day's rows: the sets its head names (a whole write's chunks, then parts appended later). */
  rows(day: string): RowSet[] | undefined;
  /**
   * Moves the day's head to what the rollup worker staged (in the caller's transaction): the
   * day's counters, users and values are replaced; its rows and index are now the staged ones.
   */
  commit(day: string, c: DayCommit, rolledAt: string): void;
  users(day: string): Uint32Array | undefined;
  /**
   * One step's lists that day (feature 0 = any) as stored (`encodeStep`; read in place with
   * `viewStep`), one per part of the day that holds it (none when nobody did it); undefined when
   * the day has no funnel index.
   */
  stepBlobs(day: string, type: number, feature: number): Uint8Array[] | undefined;
  /** The day's distinct dictionary ids per dimension (dims.ts). */
  values(day: string): Uint32Array[] | undefined;
  /** The day's breakdown index as stored (breakdown-index.ts), its lists read on demand; undefined when it has none. */
  breakdownIndex(day: string): { directory: Uint8Array; lists(dim: number): Uint8Array } | undefined;
  /** Writes the day whole on this connection (rebuilds), deleting everything it held before. */
  write(day: string, w: DayWrite, rolledAt: string): void;
  remove(day: string): void;
  /**
   * Forgets the day in the caller's transaction, deleting only its small rows: its rows, index and
   * user lists are left for the rollup worker to delete (`collect` the returned garbage).
   */
  detach(day: string): Garbage | undefined;
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
  const all = db
    .prepare("SELECT d.day, events, users, summary, steps, lo, hi, step_keys, base, parts, COALESCE(u.key, '') users_key FROM days d JOIN day_heads h ON h.day = d.day LEFT JOIN day_user_keys u ON u.day = d.day ORDER BY d.day")
    .all() as { day: string; events: number; users: number; summary: string; steps: number; lo: number; hi: number; step_keys: string; base: number; parts: number; users_key: string }[];
  for (const r of all) {
    const head = { lo: r.lo, hi: r.hi, keys: r.step_keys === '' ? [] : r.step_keys.split(','), base: r.base === 1, parts: r.parts, userKeys: r.users_key === '' ? [] : r.users_key.split(',') };
    meta.set(r.day, { events: r.events, users: r.users, summary: decodeSummary(r.summary), steps: r.steps === 1, head });
  }
  const rowCache = new Map<string, RowSet[]>();
  const userCache = new Map<string, Uint32Array>();
  const complete = new Set((db.prepare('SELECT receipt_day FROM receipts WHERE complete = 1').pluck().all() as string[]));

  const q = {
    // Rows live in `day_parts` (stage.ts); `rows` keeps only what days written before day heads hold.
    write: db.prepare("INSERT OR REPLACE INTO days (day, events, users, summary, user_ids, rows, rolled_at, steps) VALUES (?, ?, ?, ?, ?, x'', ?, ?)"),
    head: db.prepare('INSERT OR REPLACE INTO day_heads (day, lo, hi, step_keys, base, parts) VALUES (?, ?, ?, ?, ?, ?)'),
    usersHead: db.prepare('INSERT OR REPLACE INTO day_user_keys (day, key) VALUES (?, ?)'),
    removeUsersHead: db.prepare('DELETE FROM day_user_keys WHERE day = ?'),
    removeUsers: db.prepare(`DELETE FROM day_users WHERE ${allStepKeys.where.replaceAll('day', 'key')}`),
    values: db.prepare('SELECT data FROM day_values WHERE day = ?').pluck(),
    putValues: db.prepare('INSERT OR REPLACE INTO day_values (day, data) VALUES (?, ?)'),
    removeValues: db.prepare('DELETE FROM day_values WHERE day = ?'),
    indexPart: db.prepare('SELECT data FROM day_breakdowns WHERE day = ? AND dim = ?').pluck(),
    putIndex: db.prepare('INSERT OR REPLACE INTO day_breakdowns (day, dim, data) VALUES (?, ?, ?)'),
    removeIndex: db.prepare('DELETE FROM day_breakdowns WHERE day = ?'),
    removeParts: db.prepare('DELETE FROM day_parts WHERE day = ?'),
    remove: db.prepare('DELETE FROM days WHERE day = ?'),
    removeHead: db.prepare('DELETE FROM day_heads WHERE day = ?'),
    step: db.prepare('SELECT data FROM day_steps WHERE day = ? AND type = ? AND feature = ?').pluck(),
    removeSteps: db.prepare(`DELETE FROM day_steps WHERE ${allStepKeys.where}`),
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

  /** Writes the day's `days`, `day_heads` and `day_values` rows and its in-memory state. */
  function put(day: string, events: number, summary: Summary, values: Uint32Array[], users: Uint32Array, head: Head, steps: boolean, rolledAt: string): void {
    // The list itself is in `day_users` when the head names it there (written by the rollup worker).
    const inline = head.userKeys.length === 0 ? Buffer.from(users.buffer, users.byteOffset, users.byteLength) : EMPTY;
    q.write.run(day, events, users.length, encodeSummary(summary), inline, rolledAt, steps ? 1 : 0);
    q.head.run(day, head.lo, head.hi, head.keys.join(','), head.base ? 1 : 0, head.parts);
    if (head.userKeys.length === 0) q.removeUsersHead.run(day);
    else q.usersHead.run(day, head.userKeys.join(','));
    q.putValues.run(day, encodeValues(values));
    meta.set(day, { events, users: users.length, summary, steps, head });
    dropUsers(day);
    userCache.set(day, users);
    userBytes += users.byteLength;
    while (userBytes > CACHE_USER_BYTES && userCache.size > 1) dropUsers(userCache.keys().next().value!);
  }

  const putIndex = (day: string, index: Uint8Array) => {
    const { directory, lists } = splitIndex(index);
    q.putIndex.run(day, -1, asBlob(directory));
    lists.forEach((l, dim) => q.putIndex.run(day, dim, asBlob(l)));
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
    const v = readUsers(db, day, meta.get(day)!.head);
    userCache.set(day, v);
    userBytes += v.byteLength;
    while (userBytes > CACHE_USER_BYTES && userCache.size > 1) dropUsers(userCache.keys().next().value!);
    return v;
  }

  return {
    file: db.name,
    meta,
    rows(day) {
      const m = meta.get(day);
      return m === undefined ? undefined : cached(rowCache, day, () => readRows(db, day, m.head), CACHE_ROW_DAYS);
    },
    commit(day, c, rolledAt) {
      const before = meta.get(day);
      const { head, users } = c.staged;
      put(day, c.events, c.summary, c.values, users, head, c.part === undefined || before?.steps === true, rolledAt);
      putIndex(day, c.staged.index);
      // The cached rows stay valid after a part: the new rows are appended, not re-read.
      const hit = rowCache.get(day);
      rowCache.delete(day);
      if (hit !== undefined && c.part !== undefined) rowCache.set(day, [...hit, c.part]);
    },
    users: (day) => (meta.has(day) ? cachedUsers(day) : undefined),
    stepBlobs(day, type, feature) {
      const m = meta.get(day);
      if (m?.steps !== true) return undefined;
      // A day appended to has one key per part (the lists of a user hold disjoint or equal times);
      // the query merges their views (step-merge.ts).
      const out: Uint8Array[] = [];
      for (const key of m.head.keys) {
        const blob = q.step.get(key, type, feature) as Buffer | undefined;
        if (blob !== undefined) out.push(blob);
      }
      return out;
    },
    breakdownIndex(day) {
      const directory = meta.has(day) ? (q.indexPart.get(day, -1) as Buffer | undefined) : undefined;
      if (directory === undefined) return undefined;
      return {
        directory,
        lists(dim) {
          // Read in the same turn as a check of the day's version (query/breakdown-day.ts): a
          // rewrite of the index moves the version in the turn that commits it.
          const lists = q.indexPart.get(day, dim) as Buffer | undefined;
          if (lists === undefined) throw new Error(`breakdown index of ${day} vanished while read`);
          return lists;
        },
      };
    },
    values(day) {
      if (!meta.has(day)) return undefined;
      const blob = q.values.get(day) as Buffer | undefined;
      return blob === undefined ? valuesOfRows(this.rows(day)!) : decodeValues(blob);
    },
    write(day, w, rolledAt) {
      q.removeParts.run(day);
      q.removeSteps.run(...allStepKeys.args(day));
      q.removeUsers.run(...allStepKeys.args(day));
      const users = Uint32Array.from(w.users).sort();
      const head = writeDay(db, day, w.rows, w.steps, users);
      put(day, w.events, w.summary, w.values, users, head, true, rolledAt);
      putIndex(day, buildIndex([w.rows]));
      rowCache.delete(day);
    },
    detach(day) {
      const m = meta.get(day);
      if (m === undefined) return undefined;
      q.remove.run(day);
      q.removeHead.run(day);
      q.removeUsersHead.run(day);
      q.removeValues.run(day);
      q.removeIndex.run(day);
      meta.delete(day);
      rowCache.delete(day);
      dropUsers(day);
      return { day, lo: m.head.lo, hi: m.head.hi, keys: m.head.keys, userKeys: m.head.userKeys, all: true };
    },
    remove(day) {
      q.remove.run(day);
      q.removeHead.run(day);
      q.removeSteps.run(...allStepKeys.args(day));
      q.removeUsers.run(...allStepKeys.args(day));
      q.removeUsersHead.run(day);
      q.removeParts.run(day);
      q.removeValues.run(day);
      q.removeIndex.run(day);
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
      db.exec('DELETE FROM days; DELETE FROM day_heads; DELETE FROM day_steps; DELETE FROM day_parts; DELETE FROM day_users; DELETE FROM day_user_keys; DELETE FROM day_values; DELETE FROM day_breakdowns; DELETE FROM coverage; DELETE FROM receipts;');
      meta.clear();
      rowCache.clear();
      userCache.clear();
      userBytes = 0;
      complete.clear();
    },
  };
}
