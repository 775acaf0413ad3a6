import { Worker } from 'node:worker_threads';
import type { Db } from './db.js';
import type { PendingEntries } from './dict.js';
import { createWriteGate, type WriteGate } from './write-gate.js';
import { checkpoint, collect, stageDays, sweep, writeEntries, type Garbage, type Head, type StageJob, type Staged } from './stage.js';
import { indexDay } from './breakdown-backfill.js';

/**
 * Runs the heavy half of a rollup in a worker thread (stage.ts: merging, encoding, the funnel
 * index and every large SQLite write, on the worker's own connection), so a rollup of a large day
 * does not hold the event loop. One worker, started on first use and kept (rollups run one at a
 * time); `close()` ends it. If the worker cannot be started or dies, the work runs in-process on
 * the caller's connection instead — it holds the event loop then, and is never wrong.
 */
export interface RollupWorker {
  /** Stages days of the database `db` (stage.ts `stageDays`). */
  stage(db: Db, jobs: StageJob[]): Promise<Staged[]>;
  /** Writes new interner entries (stage.ts `writeEntries`). */
  entries(db: Db, entries: PendingEntries): Promise<void>;
  /** Deletes what moved heads no longer name, then checkpoints the WAL (stage.ts `collect`). */
  collect(db: Db, garbage: Garbage[]): Promise<void>;
  /** Indexes a day rolled up before breakdown indexes (breakdown-backfill.ts `indexDay`). */
  index(db: Db, day: string, head: Head): Promise<boolean>;
  /** Copies the WAL back into the database (stage.ts `checkpoint`). */
  checkpoint(db: Db, mode: 'PASSIVE' | 'TRUNCATE'): Promise<void>;
  /** Deletes what no day head names (stage.ts `sweep`). */
  sweep(db: Db): Promise<void>;
  /**
   * Resolves once no job on `db`'s file is out. The worker serves every data dir of the process, so
   * a job (a periodic checkpoint, say) can outlive the caller's `close()` and reopen the database,
   * writing -wal/-shm into a directory being deleted or restored: `Rollups.close()` waits here.
   */
  settled(db: Db): Promise<void>;
  close(): Promise<void>;
  /** The event loop's SQLite writes that may overlap the worker's (the ledger) go through this. */
  readonly gate: WriteGate;
}

type Reply = { id: number; out?: unknown; error?: string; stack?: string; code?: string };

export function createRollupWorker(onFallback: (error: string) => void = () => {}): RollupWorker {
  let worker: Worker | undefined;
  let broken = false;
  let seq = 0;
  let pending = 0;
  const gate = createWriteGate();
  const waiting = new Map<number, { ok: (v: unknown) => void; fail: (e: Error) => void }>();

  function start(): Worker {
    const here = import.meta.url;
    // Running from source (tsx, vitest): a plain-JS bootstrap loads the worker through tsx.
    const w = here.endsWith('.ts')
      ? new Worker(new URL('../shared/worker-boot.mjs', here), { workerData: { file: new URL('./worker-body.ts', here).href, gate: gate.buffer } })
      : new Worker(new URL('./worker-body.js', here), { workerData: { gate: gate.buffer } });
    w.unref();
    w.on('message', (m: Reply) => {
      const p = waiting.get(m.id);
      waiting.delete(m.id);
      if (m.error === undefined) return p?.ok(m.out);
      const err = Object.assign(new Error(m.error), { code: m.code });
      if (m.stack !== undefined) err.stack = m.stack;
      p?.fail(err);
    });
    const die = (err: Error) => {
      broken = true;
      worker = undefined;
      gate.reset();
      for (const p of waiting.values()) p.fail(err);
      waiting.clear();
    };
    w.on('error', die);
    w.on('exit', (code) => code !== 0 && die(new Error(`rollup worker exited with ${code}`)));
    return w;
  }

  /** Jobs out per database file (`settled`). */
  const out = new Map<string, Set<Promise<unknown>>>();

  /** Runs `op` in the worker; undefined when it is unavailable (the caller runs it in-process). */
  async function run<T>(msg: Record<string, unknown>): Promise<{ out: T } | undefined> {
    if (broken) return undefined;
    let w: Worker;
    try {
      w = worker ??= start();
    } catch (err) {
      broken = true;
      onFallback(err instanceof Error ? err.message : String(err));
      return undefined;
    }
    const id = ++seq;
    // Referenced only while a job is out, so an idle worker never keeps the process alive.
    if (pending++ === 0) w.ref();
    const job = new Promise<T>((ok, fail) => {
      waiting.set(id, { ok: ok as (v: unknown) => void, fail });
      w.postMessage({ id, ...msg });
    });
    const file = String(msg.file);
    const jobs = out.get(file) ?? new Set();
    out.set(file, jobs.add(job));
    try {
      return { out: await job };
    } finally {
      jobs.delete(job);
      if (jobs.size === 0) out.delete(file);
      if (--pending === 0) w.unref();
    }
  }

  return {
    gate,
    async settled(db) {
      // A job that ends may post the next (a rollup's stage, then its collect): look again.
      for (let jobs = out.get(db.name); jobs !== undefined; jobs = out.get(db.name)) await Promise.allSettled([...jobs]);
    },
    async stage(db, jobs) {
      if (jobs.length === 0) return [];
      const r = await run<Staged[]>({ op: 'stage', file: db.name, jobs });
      return r === undefined ? stageDays(db, jobs) : r.out;
    },
    async entries(db, entries) {
      const r = await run<null>({ op: 'entries', file: db.name, entries });
      if (r === undefined) writeEntries(db, entries);
    },
    async collect(db, garbage) {
      const r = await run<null>({ op: 'collect', file: db.name, garbage });
      if (r === undefined) collect(db, garbage);
    },
    async index(db, day, head) {
      const r = await run<boolean>({ op: 'index', file: db.name, day, head });
      return r === undefined ? indexDay(db, day, head) : r.out;
    },
    async checkpoint(db, mode) {
      const r = await run<null>({ op: 'checkpoint', file: db.name, mode });
      if (r === undefined) checkpoint(db, mode);
    },
    async sweep(db) {
      const r = await run<null>({ op: 'sweep', file: db.name });
      if (r === undefined) sweep(db);
    },
    async close() {
      const w = worker;
      worker = undefined;
      broken = true;
      if (w !== undefined) await w.terminate();
      gate.reset();
    },
  };
}

let shared: RollupWorker | undefined;

/**
 * The process's rollup worker: one for every `Rollups` opened (tests and CLI commands open
 * several), unref'd so it never keeps the process alive. Fallbacks are reported through
 * `onFallback` of the first caller.
 */
export function sharedRollupWorker(onFallback?: (error: string) => void): RollupWorker {
  shared ??= createRollupWorker(onFallback);
  return shared;
}
