import { randomBytes } from 'node:crypto';
import { buildIndex, mergeIndex, parseIndex } from './breakdown-index.js';
import { createCubeBuilder, decodeRows, decodeUsers, encodeRows, type RowSet } from './cube.js';
import type { Db } from './db.js';
import type { PendingEntries } from './dict.js';
import type { TxTurn } from './write-gate.js';
import { sortedHas, sortedUnion } from './sorted.js';
import { segmentMap, stepLogFrom, type StepEntry, type StepLog, type StepLogData } from './steps.js';
import { decodeStep, encodeStep } from './step-view.js';

/**
 * The write half of a rollup, run by the rollup worker (worker.ts) on its own SQLite connection so
 * the event loop never waits on it: a day's rows (in chunks of CHUNK_ROWS) and its funnel index go
 * into `day_parts` / `day_steps` under rowids and keys that no day head names yet, in short
 * transactions (about TX_BYTES each: the main thread's own small writes — the ledger of every
 * ingested batch — wait at most one of them). The main thread then moves the day's head in one
 * small transaction (store.ts `commit`), and only after that does `collect` delete what the old
 * head named. A crash at any point leaves the old head and unnamed leftovers, which the next
 * `stage` of the day deletes first.
 */

/** What makes up a persisted day (the `day_heads` row). */
export interface Head {
  /** Its rows are the `day_parts` rows of the day with rowid lo..hi (lo > hi: none). */
  lo: number;
  hi: number;
  /** `day_steps.day` keys holding its funnel index, merged on read (one after a whole write). */
  keys: string[];
  /** Its first rows still sit in `days.rows` (written before day heads existed). */
  base: boolean;
  /** Parts appended since it was last written whole. */
  parts: number;
  /**
   * `day_users` keys of its user id lists (disjoint, each ascending: the whole write's, then each
   * part's new users); none = the list sits in `days.user_ids` (written before the worker did it).
   */
  userKeys: string[];
}

export interface StageJob {
  day: string;
  /**
   * `whole`: the day is written again with the new rows merged in; `part`: the new rows are
   * appended; `replace`: the rows are the whole day (a rebuild from the log), what the head names goes.
   */
  mode: 'whole' | 'part' | 'replace';
  /** The day as readers see it now; undefined when it was never rolled up. */
  head?: Head;
  /** The persisted day has the exact funnel index (else its rows' first times stand in for it). */
  indexed: boolean;
  /** The sealed live rows (shared memory), their distinct users and their step log. */
  rows: RowSet;
  users: Uint32Array;
  steps: StepLogData;
  /** The main thread's segment triples (steps.ts `segmentTriples`): the step log's ids are its. */
  segments: number[];
}

export interface Staged {
  head: Head;
  /** Distinct users of the day after the rollup, ascending. */
  users: Uint32Array;
  /** The day's breakdown index after the rollup (breakdown-index.ts). */
  index: Uint8Array;
  /** What the old head named and the new one does not, for `collect` once the head moved. */
  garbage?: Garbage;
}

export interface Garbage {
  day: string;
  lo: number;
  hi: number;
  keys: string[];
  userKeys: string[];
  /** The day is gone (a rebuild found no events): everything stored under it goes, named or not. */
  all?: boolean;
}

/** 16,384 rows of 52 bytes: 0.85 MB per chunk (one chunk is written in one transaction). */
const CHUNK_ROWS = 16_384;
/** Bytes written (or zeroed: secure_delete) per transaction, bounding how long another writer waits. */
const TX_BYTES = 1024 * 1024;

/** Writes new interner entries (dict.ts `pending`) before the rows that will reference them. */
export function writeEntries(db: Db, e: PendingEntries): void {
  const insert = db.prepare(`INSERT OR REPLACE INTO ${e.table === 'users' ? 'users' : 'dict'} (id, ${e.column === 'key' ? 'key' : 'value'}) VALUES (?, ?)`);
  const at = e.ids.map((_, i) => i);
  bounded(db, at, (i) => (insert.run(e.ids[i], e.values[i]), 16 + e.values[i]!.length));
}

export function stageDays(db: Db, jobs: StageJob[]): Staged[] {
  return jobs.map((job) => stageDay(db, job));
}

function stageDay(db: Db, job: StageJob): Staged {
  const { day, head } = job;
  dropLeftovers(db, day, head);
  const log = stepLogFrom(job.steps, segmentMap(job.segments));
  if (job.mode === 'part' && head !== undefined) {
    const ids = writeRows(db, day, job.rows);
    let keys = head.keys;
    if (job.indexed) {
      const key = newKey(day);
      writeSteps(db, key, log.build());
      keys = [...keys, key];
    }
    // Only the users new to the day are written (cost follows the new events); a day whose list
    // still sits in `days.user_ids` gets it whole under a key once.
    const before = readUsers(db, day, head);
    const fresh = newUsers(before, job.users);
    let userKeys = head.userKeys;
    if (userKeys.length === 0) userKeys = [writeUsers(db, day, sortedUnion(before, fresh))];
    else if (fresh.length > 0) userKeys = [...userKeys, writeUsers(db, day, fresh)];
    const lo = head.lo <= head.hi ? head.lo : (ids[0] ?? head.lo);
    // The part's own index merged into the day's (cost follows the part); a day without one is indexed whole.
    const part = db.prepare('SELECT data FROM day_breakdowns WHERE day = ? AND dim = ?').pluck();
    const old = part.get(day, -1) as Buffer | undefined;
    const index = old === undefined ? buildIndex([...readRows(db, day, head), job.rows]) : mergeIndex(parseIndex(old, (dim) => part.get(day, dim) as Buffer), parseIndex(buildIndex([job.rows])));
    return { head: { lo, hi: ids.at(-1) ?? head.hi, keys, base: head.base, parts: head.parts + 1, userKeys }, users: sortedUnion(before, fresh), index };
  }
  let rows = job.rows;
  let users = job.users;
  if (head !== undefined && job.mode !== 'replace') {
    const persisted = readRows(db, day, head);
    const b = createCubeBuilder(persisted.reduce((n, r) => n + r.n, rows.n));
    for (const r of [...persisted, rows]) b.addRows(r);
    const v = b.view();
    rows = v.rows;
    users = v.users;
    // The persisted index goes along (equal times count once); without one, the rows' first times.
    if (job.indexed) for (const key of head.keys) for (const e of readSteps(db, key)) log.addEntry(e);
    else for (const r of persisted) log.addRows(r);
  }
  const sorted = Uint32Array.from(users).sort();
  const staged = writeDay(db, day, rows, log, sorted);
  return { head: staged, users: sorted, index: buildIndex([rows]), garbage: head === undefined ? undefined : { day, lo: head.lo, hi: head.hi, keys: head.keys, userKeys: head.userKeys } };
}

/** Writes a day's rows, funnel index and (ascending) users under a fresh head (in the caller's transaction if it has one). */
export function writeDay(db: Db, day: string, rows: RowSet, steps: StepLog, users: Uint32Array): Head {
  const ids = writeRows(db, day, rows);
  const key = newKey(day);
  writeSteps(db, key, steps.build());
  return { lo: ids[0] ?? 1, hi: ids.at(-1) ?? 0, keys: [key], base: false, parts: 0, userKeys: [writeUsers(db, day, users)] };
}

/** The day's ascending user ids as its head names them. */
export function readUsers(db: Db, day: string, head: Head): Uint32Array {
  if (head.userKeys.length === 0) {
    const blob = db.prepare('SELECT user_ids FROM days WHERE day = ?').pluck().get(day) as Buffer | undefined;
    return blob === undefined ? new Uint32Array(0) : decodeUsers(blob);
  }
  const get = db.prepare('SELECT data FROM day_users WHERE key = ?').pluck();
  let out: Uint32Array | undefined;
  for (const key of head.userKeys) {
    const list = decodeUsers(get.get(key) as Buffer);
    out = out === undefined ? list : sortedUnion(out, list);
  }
  return out!;
}

/** Ascending ids of `users` (unordered) not in `day` (ascending). */
function newUsers(day: Uint32Array, users: Uint32Array): Uint32Array {
  return Uint32Array.from(users.filter((u) => !sortedHas(day, u))).sort();
}

function writeUsers(db: Db, day: string, users: Uint32Array): string {
  const key = newKey(day);
  const insert = db.prepare('INSERT INTO day_users (key, data) VALUES (?, ?)');
  bounded(db, [users], (u) => (insert.run(key, Buffer.from(u.buffer, u.byteOffset, u.byteLength)), u.byteLength));
  return key;
}

/** Deletes what a moved head no longer names, in short transactions. */
export function collect(db: Db, garbage: Garbage[]): void {
  for (const g of garbage) {
    if (g.all === true) {
      // Rollups run one at a time (open.ts): no head of the day was staged since it was dropped.
      dropLeftovers(db, g.day, undefined);
      continue;
    }
    const parts = db.prepare('SELECT rowid id, length(rows) n FROM day_parts WHERE day = ? AND rowid BETWEEN ? AND ?').all(g.day, g.lo, g.hi) as { id: number; n: number }[];
    deleteParts(db, parts);
    for (const key of g.keys) deleteSteps(db, db.prepare('SELECT day, type, feature, length(data) n FROM day_steps WHERE day = ?').all(key) as StepRow[]);
    deleteUsers(db, g.userKeys);
  }
  checkpoint(db, 'PASSIVE');
}

/**
 * Deletes, for every day, what its head does not name: what a process that stopped between a
 * head move and `collect` left behind (a rebuild after an erasure included, whose old rows must
 * not outlive it), and anything of a day that has no head any more. Run once at start-up.
 */
export function sweep(db: Db): void {
  const heads = new Map(
    (db.prepare("SELECT h.day, lo, hi, step_keys, base, parts, COALESCE(u.key, '') users_key FROM day_heads h LEFT JOIN day_user_keys u ON u.day = h.day").all() as { day: string; lo: number; hi: number; step_keys: string; base: number; parts: number; users_key: string }[]).map(
      (r) => [r.day, { lo: r.lo, hi: r.hi, keys: r.step_keys === '' ? [] : r.step_keys.split(','), base: r.base === 1, parts: r.parts, userKeys: r.users_key === '' ? [] : r.users_key.split(',') } satisfies Head],
    ),
  );
  const days = db.prepare('SELECT DISTINCT day FROM day_parts UNION SELECT DISTINCT substr(day, 1, 10) FROM day_steps UNION SELECT DISTINCT substr(key, 1, 10) FROM day_users').pluck().all() as string[];
  for (const day of days) dropLeftovers(db, day, heads.get(day));
}

/** Rows and index entries of `day` its head does not name: left by a rollup that stopped half-way. */
function dropLeftovers(db: Db, day: string, head: Head | undefined): void {
  const lo = head?.lo ?? 1;
  const hi = head?.hi ?? 0;
  const parts = (
    lo <= hi
      ? db.prepare('SELECT rowid id, length(rows) n FROM day_parts WHERE day = ? AND (rowid < ? OR rowid > ?)').all(day, lo, hi)
      : db.prepare('SELECT rowid id, length(rows) n FROM day_parts WHERE day = ?').all(day)
  ) as { id: number; n: number }[];
  deleteParts(db, parts);
  const keys = new Set(head?.keys ?? []);
  const steps = db.prepare('SELECT day, type, feature, length(data) n FROM day_steps WHERE day = ? OR (day > ? AND day < ?)').all(day, `${day}~`, `${day}\u007f`) as StepRow[];
  deleteSteps(db, steps.filter((s) => !keys.has(s.day)));
  const users = db.prepare(`SELECT key FROM day_users WHERE ${allStepKeys.where.replaceAll('day', 'key')}`).pluck().all(...allStepKeys.args(day)) as string[];
  const named = new Set(head?.userKeys ?? []);
  deleteUsers(db, users.filter((k) => !named.has(k)));
}

function deleteUsers(db: Db, keys: string[]): void {
  const del = db.prepare('DELETE FROM day_users WHERE key = ?');
  bounded(db, keys, (k) => del.run(k).changes * 4096);
}

/** `day_steps` keys of a day: the day, `~`, random (a crash's leftovers never collide with a new key). */
const newKey = (day: string) => `${day}~${Date.now().toString(36)}${randomBytes(4).toString('hex')}`;

/** Every `day_steps` key of a day ever written, for deleting a day whole. */
export const allStepKeys = { where: 'day = ? OR (day > ? AND day < ?)', args: (day: string) => [day, `${day}~`, `${day}\u007f`] };

type StepRow = { day: string; type: number; feature: number; n: number };

function writeRows(db: Db, day: string, rows: RowSet): number[] {
  const insert = db.prepare('INSERT INTO day_parts (day, rows) VALUES (?, ?)');
  const ids: number[] = [];
  const starts: number[] = [];
  for (let at = 0; at < rows.n; at += CHUNK_ROWS) starts.push(at);
  bounded(db, starts, (at) => {
    const blob = encodeRows(sliceRows(rows, at, Math.min(rows.n, at + CHUNK_ROWS)));
    ids.push(Number(insert.run(day, blob).lastInsertRowid));
    return blob.byteLength;
  });
  return ids;
}

function writeSteps(db: Db, key: string, entries: StepEntry[]): void {
  const insert = db.prepare('INSERT INTO day_steps (day, type, feature, data) VALUES (?, ?, ?, ?)');
  bounded(db, entries, (e) => {
    const blob = encodeStep(e);
    insert.run(key, e.type, e.feature, blob);
    return blob.byteLength;
  });
}

function deleteParts(db: Db, parts: { id: number; n: number }[]): void {
  const del = db.prepare('DELETE FROM day_parts WHERE rowid = ?');
  bounded(db, parts, (p) => (del.run(p.id), p.n));
}

function deleteSteps(db: Db, rows: StepRow[]): void {
  const del = db.prepare('DELETE FROM day_steps WHERE day = ? AND type = ? AND feature = ?');
  bounded(db, rows, (r) => (del.run(r.day, r.type, r.feature), r.n));
}

// Set only in the rollup worker thread (worker-body.ts; its own instance of this module): its
// transactions take turns with the event loop's writes (write-gate.ts).
let turn: TxTurn | undefined;
export function takeTurns(t: TxTurn): void {
  turn = t;
}

/**
 * Copies the WAL back into the database. PASSIVE never waits and never blocks a writer; TRUNCATE
 * (after an erasure: old page images in the WAL would still hold the erased values) blocks writers
 * while it runs, so it takes its turn like a transaction.
 */
export function checkpoint(db: Db, mode: 'PASSIVE' | 'TRUNCATE'): void {
  if (mode === 'PASSIVE') {
    db.pragma('wal_checkpoint(PASSIVE)');
    return;
  }
  turn?.enter();
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    turn?.leave();
  }
}

/** Runs `write` over `items` in transactions of about TX_BYTES (savepoints inside the caller's transaction). */
function bounded<T>(db: Db, items: T[], write: (x: T) => number): void {
  let i = 0;
  const some = db.transaction(() => {
    let bytes = 0;
    while (i < items.length && bytes < TX_BYTES) bytes += write(items[i++]!);
  });
  while (i < items.length) {
    turn?.enter();
    try {
      some();
    } finally {
      turn?.leave();
    }
  }
}

/** Runs one write transaction `f` in the worker's turn (as `bounded` does each of its own). */
export function inTurn<T>(f: () => T): T {
  turn?.enter();
  try {
    return f();
  } finally {
    turn?.leave();
  }
}

export function readRows(db: Db, day: string, head: Head): RowSet[] {
  const out: RowSet[] = [];
  if (head.base) out.push(decodeRows(db.prepare('SELECT rows FROM days WHERE day = ?').pluck().get(day) as Buffer));
  if (head.lo <= head.hi) {
    for (const b of db.prepare('SELECT rows FROM day_parts WHERE day = ? AND rowid BETWEEN ? AND ? ORDER BY rowid').pluck().all(day, head.lo, head.hi) as Buffer[]) out.push(decodeRows(b));
  }
  return out;
}

export function readSteps(db: Db, key: string): StepEntry[] {
  return (db.prepare('SELECT type, feature, data FROM day_steps WHERE day = ?').all(key) as { type: number; feature: number; data: Buffer }[]).map((r) => ({ type: r.type, feature: r.feature, ...decodeStep(r.data) }));
}

function sliceRows(r: RowSet, a: number, b: number): RowSet {
  return { n: b - a, user: r.user.subarray(a, b), dims: r.dims.map((d) => d.subarray(a, b)), count: r.count.subarray(a, b), first: r.first.subarray(a, b) };
}
