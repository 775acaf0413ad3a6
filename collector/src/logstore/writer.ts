import { performance } from 'node:perf_hooks';
import type { StoredEvent } from '@tally/protocol';
import { isStorageFault, StorageUnavailableError, type AppendResult, type Clock, type Logger } from '../deps.js';
import { dedupKey, type DedupIndex } from './dedup.js';
import type { DayFile, DayFiles } from './append-files.js';
import { writeAll, type LogFs } from './fs.js';
import { utcDayOfIso } from '../shared/index.js';
import type { LogStoreStats } from './store.js';

export type Job =
  | {
      kind: 'append';
      events: StoredEvent[];
      beforeAck?: ((r: AppendResult) => void | Promise<void>) | undefined;
      resolve(r: AppendResult): void;
      reject(e: unknown): void;
    }
  | { kind: 'op'; run: () => Promise<unknown>; resolve(v: unknown): void; reject(e: unknown): void };

interface WriterDeps {
  lfs: LogFs;
  files: DayFiles;
  index: DedupIndex;
  clock: Clock;
  logger: Logger;
  fsync: 'always' | 'interval' | 'off';
  stats: LogStoreStats;
  onFsync: ((seconds: number) => void) | undefined;
  notify(events: StoredEvent[]): void;
}

const SYNC_INTERVAL_MS = 1000;

let lastValid = '';
/** Events of one batch share one received_at, so this parses once per batch, not per event. */
function validTime(v: unknown): boolean {
  if (v === lastValid) return true;
  if (typeof v !== 'string' || Number.isNaN(Date.parse(v))) return false;
  lastValid = v;
  return true;
}

/**
 * The single writer behind group commit. Appends queue up while a group is being written and
 * fsync'd; the next group takes all of them at once, so N concurrent requests cost one write per
 * day file and one fdatasync. Dedup runs here, in queue order, which makes it exact within a
 * batch, across batches of a group and across groups. Maintenance ops (rewrite, delete, close)
 * run alone between groups.
 */
export function createWriter(d: WriterDeps) {
  let queue: Job[] = [];
  let running = false;
  let isWritable = true;
  let isClosed = false;
  let closing: Promise<void> | undefined;
  let syncTimer: NodeJS.Timeout | undefined;
  let lastSync = 0;
  let lastSweep = 0;

  function enqueue(job: Job): void {
    queue.push(job);
    if (!running) {
      running = true;
      // Yield one turn so requests whose bodies arrived in the same I/O phase join this group.
      setImmediate(drain);
    }
  }

  async function drain(): Promise<void> {
    while (queue.length > 0) {
      const first = queue[0]!;
      if (first.kind === 'op') {
        queue.shift();
        try {
          first.resolve(await first.run());
        } catch (err) {
          first.reject(err);
        }
        continue;
      }
      let n = 1;
      while (n < queue.length && queue[n]!.kind === 'append') n++;
      const group = queue.slice(0, n) as Extract<Job, { kind: 'append' }>[];
      queue = queue.slice(n);
      try {
        await commit(group);
      } catch (err) {
        // Not a disk error (those are handled inside): still never leave a caller hanging.
        d.logger.error('log commit failed', { error: (err as Error).message });
        for (const job of group) job.reject(err);
      }
    }
    running = false;
  }

  async function commit(group: Extract<Job, { kind: 'append' }>[]): Promise<void> {
    const now = d.clock.now();
    if (now - lastSweep > 60_000) {
      // Expired ids are already ignored by `has`; sweeping just gives their memory back.
      lastSweep = now;
      d.index.sweep(now);
    }
    const seen = new Set<string>();
    const results: AppendResult[] = [];
    const byDay = new Map<string, string>();
    // Keys and receipt times of the events this group stores, added to the index once durable.
    const keys: string[] = [];
    const times: string[] = [];
    // keys.length after each live job: a job whose beforeAck fails takes its own and later keys out.
    const keysEnd: number[] = [];
    let lastRecv = '';
    let lastDay = '';
    let text = '';
    const live: typeof group = [];
    for (const job of group) {
      // A malformed received_at is the caller's bug: fail that call alone, before it touches the group.
      const bad = job.events.find((ev) => !validTime(ev.received_at));
      if (bad) {
        job.reject(new TypeError(`event ${String(bad.event_id)} has no valid received_at`));
        continue;
      }
      live.push(job);
      const logged: StoredEvent[] = [];
      let duplicates = 0;
      for (const ev of job.events) {
        const key = dedupKey(ev.event_id, ev.app);
        if (seen.has(key) || d.index.has(key, now)) {
          duplicates++;
          continue;
        }
        seen.add(key);
        keys.push(key);
        times.push(ev.received_at);
        logged.push(ev);
        if (ev.received_at !== lastRecv) {
          lastRecv = ev.received_at;
          const day = utcDayOfIso(lastRecv);
          if (day !== lastDay) {
            if (text) byDay.set(lastDay, (byDay.get(lastDay) ?? '') + text);
            lastDay = day;
            text = '';
          }
        }
        // String concatenation builds a rope: one flatten at Buffer.from instead of join's extra copy.
        text += JSON.stringify(ev) + '\n';
      }
      results.push({ logged, duplicates });
      keysEnd.push(keys.length);
    }
    if (text) byDay.set(lastDay, (byDay.get(lastDay) ?? '') + text);

    const touched: { file: DayFile; good: number; len: number }[] = [];
    try {
      for (const [day, lines] of byDay) {
        const file = await d.files.get(day);
        if (file.truncateTo !== undefined) {
          await d.lfs.ftruncate(file.fd, file.truncateTo);
          file.size = file.truncateTo;
          file.truncateTo = undefined;
        }
        const buf = Buffer.from(lines, 'utf8');
        const t = { file, good: file.size, len: 0 };
        touched.push(t);
        await writeAll(d.lfs, file.fd, buf);
        t.len = buf.length;
      }
      if (d.fsync === 'always' && touched.length > 0) {
        const t0 = performance.now();
        await Promise.all(touched.map((t) => d.lfs.fdatasync(t.file.fd)));
        d.stats.fsyncs += touched.length;
        d.onFsync?.((performance.now() - t0) / 1000);
      }
    } catch (err) {
      await rollBack(touched);
      isWritable = false;
      const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
      d.logger.error('log write failed', { code, error: (err as Error).message, batches: group.length });
      const e = new StorageUnavailableError(`log write failed (${code})`, err);
      for (const job of live) job.reject(e);
      return;
    }

    // The ledger entries (beforeAck) of the group, in order. The first that fails ends the group
    // there: its job and every later one are cut from the files again and answered with the error.
    let failedAt = live.length;
    let failure: unknown;
    for (let i = 0; i < live.length; i++) {
      try {
        await live[i]!.beforeAck?.(results[i]!);
      } catch (err) {
        failedAt = i;
        failure = err;
        break;
      }
    }
    if (failedAt < live.length) {
      await cutAfter(touched, results.slice(0, failedAt));
      const storage = isStorageFault(failure);
      if (storage) isWritable = false;
      d.logger.error('acknowledging a group failed; its unacknowledged lines were cut from the log', {
        error: (failure as Error)?.message, batches: live.length - failedAt,
      });
      const e = storage && !(failure instanceof StorageUnavailableError)
        ? new StorageUnavailableError(`write after the log failed (${(failure as { code?: string }).code ?? 'EIO'})`, failure)
        : failure;
      for (let i = failedAt; i < live.length; i++) live[i]!.reject(e);
      keys.length = failedAt === 0 ? 0 : keysEnd[failedAt - 1]!;
    }

    for (const t of touched) {
      t.file.size += t.len;
      if (d.fsync === 'interval') t.file.dirty = true;
    }
    if (d.fsync === 'interval' && touched.length > 0) scheduleSync();
    await d.files.trim();
    let msOf = '';
    let ms = 0;
    for (let i = 0; i < keys.length; i++) {
      if (times[i] !== msOf) {
        msOf = times[i]!;
        ms = Date.parse(msOf);
      }
      d.index.add(keys[i]!, ms);
    }
    if (touched.length > 0 && failedAt === live.length) {
      d.stats.groups++;
      isWritable = true;
    }
    for (let i = 0; i < failedAt; i++) {
      const r = results[i]!;
      if (r.logged.length > 0) d.notify(r.logged);
      live[i]!.resolve(r);
    }
  }

  /**
   * Cuts each touched file back to the end of the lines of `kept` (the acknowledged jobs of a group
   * whose later jobs failed) and makes the cut durable. Rare, so the lines are re-serialized to
   * count their bytes rather than tracking offsets on the hot path.
   */
  async function cutAfter(touched: { file: DayFile; good: number; len: number }[], kept: AppendResult[]): Promise<void> {
    const keep = new Map<string, number>();
    for (const r of kept) {
      for (const ev of r.logged) {
        const day = utcDayOfIso(ev.received_at);
        keep.set(day, (keep.get(day) ?? 0) + Buffer.byteLength(JSON.stringify(ev) + '\n'));
      }
    }
    const cut = touched.map((t) => ({ file: t.file, good: t.good + (keep.get(t.file.day) ?? 0) }));
    await rollBack(cut);
    for (const t of touched) t.len = keep.get(t.file.day) ?? 0;
    if (d.fsync !== 'off') await Promise.all(cut.map((t) => d.lfs.fdatasync(t.file.fd).catch(() => {})));
  }

  /** A failed group must leave no (half) line behind: cut each touched file back to its last good size. */
  async function rollBack(touched: { file: DayFile; good: number }[]): Promise<void> {
    for (const t of touched) {
      try {
        await d.lfs.ftruncate(t.file.fd, t.good);
      } catch (err) {
        t.file.truncateTo = t.good;
        d.logger.error('log rollback truncate failed; retrying before next write', {
          day: t.file.day,
          error: (err as Error).message,
        });
      }
    }
  }

  function scheduleSync(): void {
    if (syncTimer) return;
    const wait = Math.max(0, lastSync + SYNC_INTERVAL_MS - Date.now());
    syncTimer = setTimeout(() => {
      syncTimer = undefined;
      enqueue({ kind: 'op', run: syncDirty, resolve: () => {}, reject: () => {} });
    }, wait);
    syncTimer.unref();
  }

  async function syncDirty(): Promise<void> {
    lastSync = Date.now();
    for (const f of d.files.all()) {
      if (!f.dirty) continue;
      const t0 = performance.now();
      try {
        await d.lfs.fdatasync(f.fd);
        f.dirty = false;
        d.stats.fsyncs++;
        d.onFsync?.((performance.now() - t0) / 1000);
      } catch (err) {
        isWritable = false;
        d.logger.error('log fsync failed', { day: f.day, error: (err as Error).message });
      }
    }
  }

  function close(): Promise<void> {
    if (closing) return closing;
    isClosed = true;
    closing = new Promise<void>((resolve, reject) => {
      enqueue({
        kind: 'op',
        run: async () => {
          if (syncTimer) clearTimeout(syncTimer);
          syncTimer = undefined;
          await syncDirty();
          for (const f of d.files.all()) await d.files.drop(f.day);
        },
        resolve: () => resolve(),
        reject,
      });
    });
    return closing;
  }

  return {
    enqueue,
    close,
    writable: () => isWritable && !isClosed,
    closed: () => isClosed,
    markWritable: () => void (isWritable = true),
  };
}
