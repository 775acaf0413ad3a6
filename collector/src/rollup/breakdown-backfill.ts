import type { Logger } from '../deps.js';
import { buildIndex, splitIndex } from './breakdown-index.js';
import type { Db } from './db.js';
import type { Engine } from './engine.js';
import { inTurn, readRows, type Head } from './stage.js';
import type { RollupWorker } from './worker.js';

/**
 * Days rolled up before breakdown indexes existed (schema migration 10) have none, and every
 * unfiltered breakdown over them reads their rows. After a start, the rollup worker indexes them
 * from their rows in the background, newest first (the dashboard's presets end today), a day per
 * job, each job in the rollup chain so a rollup waits for at most one day.
 */

/**
 * Writes the index of `day` made from the rows `head` names, unless the day's head moved
 * meanwhile (a rollup, rebuild or erasure wrote the day, and its index, anew) or it has one.
 * Runs in the rollup worker; true when it wrote the index.
 */
export function indexDay(db: Db, day: string, head: Head): boolean {
  const { directory, lists } = splitIndex(buildIndex(readRows(db, day, head)));
  const asBlob = (a: Uint8Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  // One short transaction (≈ 1 MB), in the worker's turn: the event loop's own writes never wait on it.
  return inTurn(() => db.transaction(() => {
    const now = db.prepare('SELECT lo, hi, step_keys, base, parts FROM day_heads WHERE day = ?').get(day) as { lo: number; hi: number; step_keys: string; base: number; parts: number } | undefined;
    if (now === undefined || now.lo !== head.lo || now.hi !== head.hi || now.step_keys !== head.keys.join(',') || now.base !== (head.base ? 1 : 0) || now.parts !== head.parts) return false;
    if (db.prepare('SELECT 1 FROM day_breakdowns WHERE day = ?').get(day) !== undefined) return false;
    const insert = db.prepare('INSERT INTO day_breakdowns (day, dim, data) VALUES (?, ?, ?)');
    insert.run(day, -1, asBlob(directory));
    lists.forEach((l, dim) => insert.run(day, dim, asBlob(l)));
    return true;
  }).immediate());
}

/** Indexes every day that has no index yet (see above); stops early when `stopped()`. */
export async function backfillIndexes(db: Db, engine: () => Engine, worker: RollupWorker, serial: <T>(task: () => Promise<T>) => Promise<T>, logger: Logger, stopped: () => boolean): Promise<void> {
  const missing = db.prepare('SELECT day FROM day_heads WHERE day NOT IN (SELECT day FROM day_breakdowns) ORDER BY day DESC').pluck().all() as string[];
  if (missing.length === 0) return;
  const started = performance.now();
  let written = 0;
  for (const day of missing) {
    if (stopped()) return;
    await serial(async () => {
      const e = engine();
      const head = e.store.meta.get(day)?.head;
      if (stopped() || head === undefined) return;
      // Cached answers that read the day through its rows are equal, but the day's version moves
      // so the next ones read the index.
      if (await worker.index(db, day, head)) {
        written++;
        e.touch(day);
      }
    });
  }
  logger.info('breakdown indexes built for days rolled up before them', { days: written, ms: Math.round(performance.now() - started) });
}
