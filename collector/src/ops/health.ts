import { join } from 'node:path';
import type { LogStore, Logger } from '../deps.js';
import { diskFreeBytes } from './disk.js';

/**
 * Below this many free bytes on the data dir's file system `/healthz` answers 503 even while writes
 * still succeed: SQLite needs room for its WAL and checkpoints, and a load balancer should move
 * traffic away before the log's next group commit fails rather than after.
 */
export const HEALTH_MIN_FREE_BYTES = 1024 * 1024;

/** Seconds a client should wait before retrying after the disk refused a write. */
export const STORAGE_RETRY_AFTER_SECONDS = 5;

/**
 * Whether the write path (log, ledger, erasure) works. Any storage fault anywhere marks it failing;
 * it stays failing until a write succeeds again — a request, or the probe `/healthz` runs.
 */
export interface StorageHealth {
  fault(where: string, err: unknown): void;
  ok(): void;
  /** `{ ok: true }`, or why not; probes the disk when a fault is outstanding. */
  check(): Promise<{ ok: true } | { ok: false; error: string }>;
}

export function createStorageHealth(opts: { dataDir: string; log: LogStore; logger: Logger }): StorageHealth {
  let failing: string | undefined;
  return {
    fault(where, err) {
      // The caller logs the fault itself, with its context.
      failing = `${where}: ${(err as { code?: string } | null)?.code ?? (err as Error)?.message ?? String(err)}`;
    },
    ok() {
      if (failing !== undefined) opts.logger.warn('storage writable again', { was: failing });
      failing = undefined;
    },
    async check() {
      // events/ may be a mount of its own: the smaller of the two is what the write path has.
      const frees = await Promise.all([diskFreeBytes(opts.dataDir), diskFreeBytes(join(opts.dataDir, 'events'))]);
      const known = frees.filter((f): f is number => f !== undefined);
      const free = known.length === 0 ? undefined : Math.min(...known);
      if (free !== undefined && free < HEALTH_MIN_FREE_BYTES) {
        return { ok: false, error: `disk nearly full: ${free} bytes free on the data dir, need ${HEALTH_MIN_FREE_BYTES}` };
      }
      // Cheap (a stat per open day file) and catches a log file deleted under us with no write coming.
      if (!(await opts.log.verify())) return { ok: false, error: 'event log file was replaced or could not be restored; see the log' };
      if (failing === undefined && opts.log.writable()) return { ok: true };
      if (await opts.log.probe()) {
        this.ok();
        return { ok: true };
      }
      return { ok: false, error: failing === undefined ? 'event log is not writable' : `storage not writable (${failing})` };
    },
  };
}
