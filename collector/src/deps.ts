import type { Config } from './config/index.js';
import type { Rollups, DropReport, IngestTally, Ledger, RejectedEvent } from './rollup/index.js';
import type { Metrics, StorageHealth } from './ops/index.js';
import type { ForwardHub } from './forward/index.js';
import type { AppendOptions, AppendResult, LogStore } from './logstore/index.js';

// The log's and the ledger's interfaces live with their owners; re-exported for the folders that use them.
// (`import type` then `export type`: a re-export `from` an index would count as a load-time import cycle.)
export type { AppendOptions, AppendResult, DropReport, IngestTally, Ledger, LogStore, RejectedEvent };

/** errno codes of a disk that cannot take a write right now (full, read-only, failing, not ours). */
const STORAGE_ERRNOS = new Set(['ENOSPC', 'EDQUOT', 'EIO', 'EROFS', 'EACCES', 'EPERM', 'EMFILE', 'ENFILE']);
/** better-sqlite3's codes for the same (SQLITE_FULL "database or disk is full", SQLITE_IOERR_*...). */
const SQLITE_STORAGE = /^SQLITE_(FULL|IOERR|READONLY|CANTOPEN|BUSY|LOCKED|PERM)/;

/** True for an error that means "storage unavailable, retry later" (answered 503), not a bug (500). */
export function isStorageFault(err: unknown): boolean {
  if (err instanceof StorageUnavailableError) return true;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (STORAGE_ERRNOS.has(code) || SQLITE_STORAGE.test(code));
}

export class StorageUnavailableError extends Error {
  constructor(message: string, readonly cause?: unknown) {
    super(message);
    this.name = 'StorageUnavailableError';
  }
}

export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export interface Clock {
  now(): number;
}

/** Everything `createApp` needs; tests pass fakes or temp-dir instances. */
export interface AppDeps {
  config: Config;
  log: LogStore;
  ledger: Ledger;
  logger: Logger;
  clock: Clock;
  /** The rollups, persisted and live, and their jobs (`rollup/rollups.ts`). */
  rollups: Rollups;
  /** Prometheus counters and histograms (`ops/metrics.ts`); the log store reports fsync latency here. */
  metrics: Metrics;
  /** Kafka / ClickHouse forwarders, when configured (`forward/`). */
  forward?: ForwardHub;
  /** Storage health behind `/healthz` and the 503s; `createApp` makes one when absent. */
  health?: StorageHealth;
  /** Keeps the dashboard overview's breakdowns computed (`query/warm.ts`). */
  queryWarmer?: { stop(): void };
  /** The nightly rollup and retention (`ops/nightly.ts`), scheduled by `serve` only. */
  nightly?: { stop(): void };
}
