import type { Config } from '../config/index.js';
import type { Clock, Ledger, LogStore, Logger } from '../deps.js';
import type { Rollups, RollupPurge } from './rollups.js';
import { openDb } from './db.js';
import { createInterner } from './dict.js';
import { createEngine } from './engine.js';
import { createReader, flush, loadLive, rebuildDays } from './jobs.js';
import { createLedger, readCompleteness } from './ledger.js';
import { createOverflow } from './overflow.js';
import { unusedValues } from './dict-gc.js';
import { sharedRollupWorker } from './worker.js';
import { backfillIndexes } from './breakdown-backfill.js';
import { createDayStore } from './store.js';
import { addDays, createSerial, dayInZone, dayRange, weekStart } from '../shared/index.js';

/** How often the rollup worker copies the WAL back (write-ahead pages of the ledger, mostly). */
const CHECKPOINT_MS = 5_000;

export interface OpenRollupsOptions {
  config: Config;
  log: LogStore;
  logger: Logger;
  clock: Clock;
  /** Warm the query caches in the background after start-up. Off for one-shot commands. Default: on. */
  warm?: boolean;
}

/**
 * Opens (or creates and migrates) `$TALLY_DATA_DIR/tally.db`, loads every logged event not yet in a
 * persisted rollup into the live overlay and subscribes to `log.onAppend`. Every answer = persisted
 * rollups + live overlay, so it is right whether or not a rollup ran. (The nightly rollup is
 * scheduled by `serve`'s composition root: ops/nightly.ts.)
 */
export async function openRollups(opts: OpenRollupsOptions): Promise<{ rollups: Rollups; ledger: Ledger }> {
  const { config, log, logger, clock } = opts;
  const db = openDb(config.dataDir);
  const store = createDayStore(db);
  const tz = config.timeZone;
  const previousTz = store.getMeta('time_zone');
  if (previousTz !== undefined && previousTz !== tz && store.meta.size > 0) {
    logger.warn('TALLY_TZ changed since the rollups were made; run `pnpm collector rollup --rebuild`', { was: previousTz, now: tz });
  } else {
    store.setMeta('time_zone', tz);
  }
  const unindexed = [...store.meta.values()].filter((m) => !m.steps).length;
  if (unindexed > 0) {
    // Rolled up before the exact funnel index (schema migration 6): funnels over them use each
    // row's first time only until the days are rebuilt from the log.
    logger.warn('some days have no exact funnel index; run `pnpm collector rollup --rebuild`', { days: unindexed });
  }
  const users = createInterner(db, 'users', 'key', 0);
  const dict = createInterner(db, 'dict', 'value', 1);
  const overflow = createOverflow(db);
  let engine = createEngine(store, users, dict, tz, overflow, config.maxValuesPerDay);
  const reader = createReader(log);
  const unsubscribe = log.onAppend((events) => {
    reader.appended(events);
    engine.ingest(events);
  });
  engine.recomputeSeen();
  await loadLive(engine, log, reader);

  let closed = false;
  // The first `usage?days=365` after a start would union a year of day sets (~0.4 s cold): do it
  // now, a week per turn of the event loop, newest first, so ingestion is never held up for long.
  // It also fills the user-set cache that timeseries and retention read.
  const warm = async () => {
    let monday = weekStart(dayInZone(clock.now(), tz));
    for (let i = 0; i < 53 && !closed; i++) {
      const days = engine.daysWithData(monday, addDays(monday, 6));
      if (days.length > 0) engine.distinct(days);
      monday = addDays(monday, -7);
      await new Promise((r) => setImmediate(r));
    }
  };
  if (opts.warm !== false) {
    setImmediate(() => warm().catch((err) => logger.warn('warming the query caches failed', { error: String(err) })));
  }

  let rebuilding = false;
  const worker = sharedRollupWorker((error) => logger.warn('rollup worker unavailable; rolling up on the main thread', { error }));
  // SQLite checkpoints on the commit that finds the WAL over 1,000 pages: after the worker wrote a
  // big day, that was the next ledger write, copying megabytes on the event loop. The worker
  // checkpoints instead — after its own commits, and every few seconds for the ledger's pages.
  db.pragma('wal_autocheckpoint = 0');
  const checkpoints = setInterval(() => void worker.checkpoint(db, 'PASSIVE').catch(() => {}), CHECKPOINT_MS);
  checkpoints.unref();
  const todayUtc = () => dayInZone(clock.now(), 'UTC');
  // Jobs that rewrite rollups run one at a time.
  const serial = createSerial();
  // What a process stopped between a head move and its clean-up left (old rows of an erasure's
  // rebuild included) goes first, by the worker, before any rollup.
  serial(() => worker.sweep(db)).catch((err: unknown) => logger.warn('sweeping unnamed rollup rows failed', { error: String(err) }));

  if (opts.warm !== false) {
    setImmediate(() => backfillIndexes(db, () => engine, worker, serial, logger, () => closed).catch((err) => logger.warn('indexing days for breakdowns failed', { error: String(err) })));
  }

  const rollups: Rollups = {
    get engine() {
      return engine;
    },
    today: () => dayInZone(clock.now(), tz),
    rollup: () => serial(async () => flush(engine, db, worker, await log.days(), todayUtc())),
    async rebuildDays(days) {
      await serial(async () => {
        rebuilding = true;
        try {
          await rebuildDays(engine, db, worker, log, reader, days);
        } finally {
          rebuilding = false;
        }
      });
    },
    rebuildAll: () =>
      serial(async () => {
        rebuilding = true;
        try {
          const started = performance.now();
          store.clear();
          store.setMeta('time_zone', tz);
          overflow.clear();
          engine = createEngine(store, users, dict, tz, overflow, config.maxValuesPerDay);
          await loadLive(engine, log, reader);
          const report = await flush(engine, db, worker, await log.days(), todayUtc());
          engine.recomputeSeen();
          return { ...report, ms: Math.round(performance.now() - started) };
        } finally {
          rebuilding = false;
        }
      }),
    purgeRollupsBefore(day, o = { dryRun: false }): RollupPurge {
      const days = [...store.meta.keys()].filter((d) => d < day).sort();
      if (o.dryRun || days.length === 0) return { days, rows: days.length };
      db.transaction(() => {
        for (const d of days) {
          store.remove(d);
          engine.touch(d);
        }
      })();
      engine.recomputeSeen();
      // People seen in no remaining day must not stay in the users table.
      const gone: string[] = [];
      for (let u = 0; u < engine.seen.size; u++) {
        const key = users.value(u);
        if (key !== undefined && engine.seen.isUnseen(u)) gone.push(key);
      }
      users.forget(gone);
      // Values of the purged days only; skipped while a rebuild holds ids the engine does not know
      // of (the next purge catches up).
      if (!rebuilding) dict.forget(unusedValues(engine));
      return { days, rows: days.length };
    },
    isRolledUp: (r) => store.isComplete(r),
    forgetUsers: (keys) =>
      serial(async () => {
        users.forget(keys);
        // Values only the erased events carried (a url or feature embedding the id): inside the
        // serial chain, where no rebuild holds dictionary ids the engine does not know of.
        dict.forget(unusedValues(engine));
        // Old page images in the WAL would still hold the keys (by the worker: it blocks writers).
        await worker.checkpoint(db, 'TRUNCATE');
      }),
    completeness(from, to, app) {
      const other = overflow.read(from, to, app);
      return readCompleteness(db, from, to, dayRange(from, to), app).map((d) => ({ ...d, other: other.get(d.day) ?? {} }));
    },
    async close() {
      closed = true;
      clearInterval(checkpoints);
      unsubscribe();
      await worker.settled(db);
      db.close();
    },
  };

  return { rollups, ledger: createLedger(db, worker.gate) };
}
