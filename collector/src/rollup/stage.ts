import { randomBytes } from 'node:crypto';
import { createCubeBuilder, decodeRows, decodeUsers, encodeRows, type RowSet } from './cube.js';
import type { Db } from './db.js';
import type { PendingEntries } from './dict.js';
import { sortedUnion } from './sorted.js';
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
}

export interface StageJob {
  day: string;
  /** `whole`: the day is written again with the new rows merged in; `part`: the new rows are appended. */
  mode: 'whole' | 'part';
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
  /** What the old head named and the new one does not, for `collect` once the head moved. */
  garbage?: Garbage;
}

export interface Garbage {
  day: string;
  lo: number;
  hi: number;
  keys: string[];
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
    const blob = db.prepare('SELECT user_ids FROM days WHERE day = ?').pluck().get(day) as Buffer;
    const lo = head.lo <= head.hi ? head.lo : (ids[0] ?? head.lo);
    return { head: { lo, hi: ids.at(-1) ?? head.hi, keys, base: head.base, parts: head.parts + 1 }, users: sortedUnion(decodeUsers(blob), job.users) };
  }
  let rows = job.rows;
  let users = job.users;
  if (head !== undefined) {
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
  const staged = writeDay(db, day, rows, log);
  return { head: staged, users: Uint32Array.from(users).sort(), garbage: head === undefined ? undefined : { day, ...head } };
}

/** Writes a day's rows and funnel index under a fresh head (in the caller's transaction if it has one). */
export function writeDay(db: Db, day: string, rows: RowSet, steps: StepLog): Head {
  const ids = writeRows(db, day, rows);
  const key = newKey(day);
  writeSteps(db, key, steps.build());
  return { lo: ids[0] ?? 1, hi: ids.at(-1) ?? 0, keys: [key], base: false, parts: 0 };
}

/** Deletes what a moved head no longer names, in short transactions. */
export function collect(db: Db, garbage: Garbage[]): void {
  for (const g of garbage) {
    const parts = db.prepare('SELECT rowid id, length(rows) n FROM day_parts WHERE day = ? AND rowid BETWEEN ? AND ?').all(g.day, g.lo, g.hi) as { id: number; n: number }[];
    deleteParts(db, parts);
    for (const key of g.keys) deleteSteps(db, db.prepare('SELECT day, type, feature, length(data) n FROM day_steps WHERE day = ?').all(key) as StepRow[]);
  }
  db.pragma('wal_checkpoint(PASSIVE)');
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

/** Runs `write` over `items` in transactions of about TX_BYTES (savepoints inside the caller's transaction). */
function bounded<T>(db: Db, items: T[], write: (x: T) => number): void {
  let i = 0;
  const some = db.transaction(() => {
    let bytes = 0;
    while (i < items.length && bytes < TX_BYTES) bytes += write(items[i++]!);
  });
  while (i < items.length) some();
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
