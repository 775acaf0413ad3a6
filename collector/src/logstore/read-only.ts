import { join } from 'node:path';
import { StorageUnavailableError, type Logger } from '../deps.js';
import { nodeLogFs, type LogFs } from './fs.js';
import { listDays } from './layout.js';
import { readDayFile, readDayRecordChunks, readDayRecords, type ReadReport } from './ndjson.js';
import { readDayForDates } from './time-filter.js';
import { searchDayFile } from './search.js';
import { lockDir } from './lock.js';
import { checkDataDir } from '../datadir/index.js';
import type { LogStoreStats, OpenLogStore } from './store.js';

export interface LogReaderOptions {
  /** `$TALLY_DATA_DIR`; reads `<dataDir>/events/YYYY-MM-DD.ndjson`. */
  dataDir: string;
  logger: Logger;
  fs?: LogFs;
  /**
   * Hold `events/LOCK` while open, as a writer does: fails with `LogLockedError` if a collector (or
   * another locked command) has the log, and keeps one from starting meanwhile. Default false.
   */
  lock?: boolean;
  /**
   * The committed size of a day file another thread of the collector appends to (forwarder thread):
   * reads stop there, never in a group still being written. Default: the file's size.
   */
  committedSize?: (day: string) => number | undefined;
}

/**
 * Opens the log for reading only, for maintenance commands that never append (`rollup`).
 *
 * It skips everything the writable open does for the sake of appending: no dedup index rebuild
 * (the costly part: seconds per million events of the last 48 h), no torn-tail repair and no
 * removal of leftover rewrite temp files, and the LOCK only if asked — without `lock` it writes
 * nothing under the data directory. Unlocked, it may run while a collector holds the LOCK; it then
 * sees each day file as it was when `readDay` reached its end (a group still being written may be
 * missing, never half-read: bytes after the last newline are reported as a torn tail and skipped).
 * Appending, rewriting and deleting are refused. `rollup` opens with `lock: true`: a collector
 * running beside it would count the events it rolls up a second time in its live overlay.
 */
export async function openLogReader(opts: LogReaderOptions): Promise<OpenLogStore> {
  const lfs = opts.fs ?? nodeLogFs;
  const { logger } = opts;
  const dir = join(opts.dataDir, 'events');
  await checkDataDir(opts.dataDir, { write: false });
  let unlock = async () => {};
  if (opts.lock === true) {
    await lfs.mkdir(dir);
    unlock = await lockDir(dir);
  }
  const stats: LogStoreStats = { groups: 0, fsyncs: 0, corruptLines: 0, repairedBytes: 0, dedupIds: 0 };
  const report: ReadReport = {
    onCorrupt: (file, line) => {
      stats.corruptLines++;
      logger.warn('log line does not parse; skipped', { file, line });
    },
    onTornTail: (file, bytes) =>
      logger.warn('log file ends in an unfinished line; not read (read-only: left for the collector to repair)', { file, bytes }),
  };
  const ensureOpen = () => {
    if (closed) throw new StorageUnavailableError('log is closed');
  };
  const refuse = (what: string) => Promise.reject(new StorageUnavailableError(`log is open read-only: cannot ${what}`));
  let closed = false;
  return {
    eventsDir: dir,
    append: () => refuse('append'),
    writable: () => false,
    probe: async () => false,
    verify: async () => true,
    onAppend: () => () => {},
    committedSize: (day) => opts.committedSize?.(day),
    readDay: (day, utcDates) => {
      ensureOpen();
      return utcDates ? readDayForDates(lfs, dir, day, utcDates, () => undefined, report) : readDayFile(lfs, dir, day, () => undefined, report);
    },
    readFrom: (day, from, chunk) => {
      ensureOpen();
      return readDayRecords(lfs, dir, day, from, () => opts.committedSize?.(day), report, chunk);
    },
    readChunksFrom: (day, from, chunk, check) => {
      ensureOpen();
      return readDayRecordChunks(lfs, dir, day, from, () => opts.committedSize?.(day), report, chunk, check);
    },
    searchDay: (day, ids) => {
      ensureOpen();
      return searchDayFile(lfs, dir, day, ids, () => opts.committedSize?.(day), report);
    },
    days: async () => {
      try {
        return await listDays(lfs, dir);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw err;
      }
    },
    rewriteDay: () => refuse('rewrite a day'),
    deleteDay: () => refuse('delete a day'),
    close: async () => {
      closed = true;
      await unlock();
    },
    stats: () => ({ ...stats }),
  };
}
