import { join } from 'node:path';
import { LIMITS, type StoredEvent } from '@tally/protocol';
import { StorageUnavailableError, type AppendResult, type Clock, type LogStore, type Logger } from '../deps.js';
import { createDedupIndex } from './dedup.js';
import { createDayFiles } from './append-files.js';
import { fsyncDir, nodeLogFs, writeAll, type LogFs } from './fs.js';
import { PROBE_FILE, TMP_SUFFIX, dayPath, listDays, probePath } from './layout.js';
import { repairTail } from './repair.js';
import { createWriter, type Job } from './writer.js';
import { readDayFile, readDayRecordChunks, readDayRecords, type LineCheck, type LogRecord, type ReadReport } from './ndjson.js';
import { searchDayFile } from './search.js';
import { rewriteDayFile } from './rewrite.js';
import { readDayForDates } from './time-filter.js';
import { rebuildDedup } from './rebuild.js';
import { lockDir } from './lock.js';
import { checkDataDir } from '../datadir/index.js';
import { createSerial } from '../shared/index.js';

export interface LogStoreOptions {
  /** `$TALLY_DATA_DIR`; files go to `<dataDir>/events/YYYY-MM-DD.ndjson`. */
  dataDir: string;
  fsync: 'always' | 'interval' | 'off';
  logger: Logger;
  clock: Clock;
  /** Seconds each fdatasync took (feeds the fsync latency histogram). */
  onFsync?: (seconds: number) => void;
  /** File operations; tests inject failures here. */
  fs?: LogFs;
  /** Cap on remembered ids (see dedup.ts for the memory figure). */
  maxDedupIds?: number;
}

export interface LogStoreStats {
  /** Write groups committed (each = one write per touched day file + one fdatasync under `always`). */
  groups: number;
  fsyncs: number;
  /** Interior lines that did not parse, seen by `readDay` since start. */
  corruptLines: number;
  /** Bytes cut from torn tails at start-up. */
  repairedBytes: number;
  dedupIds: number;
}

export type OpenLogStore = LogStore & {
  stats(): LogStoreStats;
  readonly eventsDir: string;
  /** One day's lines from byte `from` (a line end an earlier read yielded), up to the committed size; forwarders tail the log with it. */
  readFrom(day: string, from: number, chunk?: number): AsyncGenerator<LogRecord>;
  /** `readFrom` a read chunk at a time, each line checked by `check` instead of being parsed (a forwarder's scan). */
  readChunksFrom<E>(day: string, from: number, chunk: number, check: LineCheck<E>): AsyncGenerator<LogRecord<E>[]>;
  /** Bytes of fully committed groups in a day file open for appends (undefined: not open, its size is final). A forwarder thread reads up to it. */
  committedSize(day: string): number | undefined;
};

/** Opens the log: repairs torn tails, rebuilds the dedup index from the last 48 h, starts the writer. */
export async function openLogStore(opts: LogStoreOptions): Promise<OpenLogStore> {
  const lfs = opts.fs ?? nodeLogFs;
  const dir = join(opts.dataDir, 'events');
  await lfs.mkdir(dir);
  const unlock = await lockDir(dir);
  try {
    // Under the LOCK: only the writer records versions, and never in a directory it cannot read.
    await checkDataDir(opts.dataDir, { write: true });
    return await open(opts, lfs, dir, unlock);
  } catch (err) {
    await unlock();
    throw err;
  }
}

async function open(opts: LogStoreOptions, lfs: LogFs, dir: string, unlock: () => Promise<void>): Promise<OpenLogStore> {
  const { logger, clock } = opts;
  const stats: LogStoreStats = { groups: 0, fsyncs: 0, corruptLines: 0, repairedBytes: 0, dedupIds: 0 };

  for (const name of await lfs.readdir(dir)) {
    // A rewrite that crashed before its rename: the original is intact, the temp file is garbage.
    if (name.endsWith(TMP_SUFFIX) || name === PROBE_FILE) await lfs.unlink(join(dir, name));
  }
  for (const day of await listDays(lfs, dir)) stats.repairedBytes += await repairTail(lfs, dayPath(dir, day), logger);

  const windowMs = LIMITS.dedupWindowHours * 3600_000;
  let earlyWarned = 0;
  const index = createDedupIndex({
    windowMs,
    maxIds: opts.maxDedupIds ?? 5_000_000,
    onEvictEarly: (count) => {
      if (clock.now() - earlyWarned > 3600_000) {
        earlyWarned = clock.now();
        logger.warn('dedup index full: forgetting oldest ids before 48 h', { count, max: opts.maxDedupIds ?? 5_000_000 });
      }
    },
  });
  const countCorrupt = (file: string, line: number) => {
    stats.corruptLines++;
    logger.warn('log line does not parse; skipped', { file, line });
  };
  const report: ReadReport = {
    onCorrupt: countCorrupt,
    // Cannot happen after the start-up repair; if it does, some other process wrote the file.
    onTornTail: (file, bytes) => logger.warn('log file ends in an unfinished line; not read', { file, bytes }),
  };
  const rebuilt = await rebuildDedup(lfs, dir, index, clock.now(), windowMs, countCorrupt);
  logger.info('log opened', { dir, fsync: opts.fsync, dedup_ids: index.size(), ms: rebuilt.ms });

  const files = createDayFiles(lfs, dir, logger);
  const listeners = new Set<(events: StoredEvent[]) => void>();
  const writer = createWriter({
    lfs,
    files,
    index,
    clock,
    logger,
    fsync: opts.fsync,
    stats,
    onFsync: opts.onFsync,
    notify: (events) => {
      for (const l of listeners) {
        try {
          l(events);
        } catch (err) {
          logger.error('onAppend listener failed', { error: (err as Error).message });
        }
      }
    },
  });

  /** Runs `fn` alone between write groups. */
  const exclusive = <T>(fn: () => Promise<T>) =>
    new Promise<T>((resolve, reject) => writer.enqueue({ kind: 'op', run: fn, resolve, reject } as Job));

  // Rewrites and deletes of the same store are serialized among themselves as well.
  const serial = createSerial();

  return {
    eventsDir: dir,
    append(events, options) {
      if (events.length === 0) {
        const none: AppendResult = { logged: [], duplicates: 0 };
        try {
          return Promise.resolve(options?.beforeAck?.(none)).then(() => none);
        } catch (err) {
          return Promise.reject(err);
        }
      }
      if (writer.closed()) return Promise.reject(new StorageUnavailableError('log is closed'));
      return new Promise<AppendResult>((resolve, reject) =>
        writer.enqueue({ kind: 'append', events, beforeAck: options?.beforeAck, resolve, reject }),
      );
    },
    writable: () => writer.writable(),
    verify: () => {
      if (writer.closed()) return Promise.resolve(true);
      return exclusive(() => files.verifyAll()).then(
        () => true,
        (err: unknown) => {
          logger.error('log file check failed', { error: (err as Error).message });
          return false;
        },
      );
    },
    probe: () => {
      if (writer.closed()) return Promise.resolve(false);
      return exclusive(async () => {
        await files.verifyAll();
        const path = probePath(dir);
        const fd = await lfs.open(path, 'w', 0o600);
        try {
          // A few pages, not one byte: a disk with a sliver left would pass a 1-byte probe and fail the next group.
          const buf = Buffer.alloc(16 * 1024, 0x20);
          await writeAll(lfs, fd, buf);
          await lfs.fdatasync(fd);
        } finally {
          await lfs.close(fd);
          await lfs.unlink(path).catch(() => {});
        }
        writer.markWritable();
        return true;
      }).catch((err: unknown) => {
        logger.warn('storage probe failed', { error: (err as Error).message });
        return false;
      });
    },
    onAppend(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    readDay: (day, utcDates) =>
      utcDates ? readDayForDates(lfs, dir, day, utcDates, () => files.peek(day)?.size, report) : readDayFile(lfs, dir, day, () => files.peek(day)?.size, report),
    readFrom: (day, from, chunk) => readDayRecords(lfs, dir, day, from, () => files.peek(day)?.size, report, chunk),
    readChunksFrom: (day, from, chunk, check) => readDayRecordChunks(lfs, dir, day, from, () => files.peek(day)?.size, report, chunk, check),
    searchDay: (day, ids) => searchDayFile(lfs, dir, day, ids, () => files.peek(day)?.size, report),
    committedSize: (day) => files.peek(day)?.size,
    days: () => listDays(lfs, dir),
    rewriteDay: (day, keep, ids) =>
      serial(() => rewriteDayFile({ lfs, dir, day, keep, ids, logger, files, exclusive, countCorrupt })),
    deleteDay: (day) =>
      serial(() =>
        exclusive(async () => {
          await files.drop(day);
          try {
            await lfs.unlink(dayPath(dir, day));
          } catch (err) {
            if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
            return;
          }
          await fsyncDir(lfs, dir);
          logger.info('log day deleted', { day });
        }),
      ),
    close: async () => {
      // A file deleted since the last write is restored before its descriptor goes.
      if (!writer.closed()) await exclusive(() => files.verifyAll()).catch((err: unknown) => logger.error('log file check at close failed', { error: (err as Error).message }));
      await writer.close();
      await unlock();
    },
    stats: () => ({ ...stats, dedupIds: index.size() }),
  };
}
