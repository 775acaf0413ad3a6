import type { StoredEvent, RejectReason } from '@tally/protocol';
import type { Config } from './config/config.js';
import type { Analytics } from './rollup/analytics.js';
import type { Metrics } from './ops/metrics.js';
import type { ForwardHub } from './forward/index.js';
import type { StorageHealth } from './ops/health.js';

/**
 * The append-only NDJSON event log. The one place events are made durable.
 * Owned by `logstore/`; ingestion and the rollups only see this interface.
 */
export interface LogStore {
  /**
   * Stores the events whose `event_id` was not stored in the last 48 hours and resolves once they
   * are durable under the configured fsync policy (group commit: concurrent calls share one fsync).
   * Rejects with `StorageUnavailableError` when the disk cannot take the write (full, I/O error);
   * in that case none of this call's events count as stored.
   */
  append(events: StoredEvent[], options?: AppendOptions): Promise<AppendResult>;
  /** True while the log is writable. */
  writable(): boolean;
  /**
   * Tries a small durable write next to the log (and checks that today's file is still the open
   * one). True when it succeeds; `writable()` is then true again. `/healthz` calls it after a fault,
   * so the collector recovers when space frees up even while a load balancer sends it no traffic.
   */
  probe(): Promise<boolean>;
  /**
   * Checks that each open day file is still the file at its path (someone may have deleted it);
   * restores a deleted one from its open descriptor. False when that fails or a file was replaced.
   */
  verify(): Promise<boolean>;
  /** Called synchronously after each durable append with the events actually stored (duplicates excluded). */
  onAppend(listener: (events: StoredEvent[]) => void): () => void;
  /** Every stored event, file by file in day order (for start-up rebuilds, rollups, exports). */
  readDay(day: string): AsyncIterable<StoredEvent>;
  /**
   * The events of one day that may concern one of `ids` (erasure, access export): every event whose
   * stored line mentions one of them, and possibly more — never fewer; callers decide on the parsed
   * event. `ids` may grow during the read (links learned on the way); later ids apply from then on.
   */
  searchDay(day: string, ids: readonly string[]): AsyncIterable<StoredEvent>;
  /** Days (`YYYY-MM-DD`, UTC receipt day) that have a log file, ascending. */
  days(): Promise<string[]>;
  /**
   * Atomically rewrites one day's file keeping only the events for which `keep` is true
   * (write a new file, fsync, rename), serialized with appends so ingestion loses nothing.
   * Resolves with the number of events removed. Used by erasure.
   */
  rewriteDay(day: string, keep: (event: StoredEvent) => boolean): Promise<number>;
  /** Deletes one day's file (retention). */
  deleteDay(day: string): Promise<void>;
  /** Waits for in-flight writes, then closes files. */
  close(): Promise<void>;
}

export interface AppendResult {
  logged: StoredEvent[];
  duplicates: number;
}

export interface AppendOptions {
  /**
   * Runs once this call's events are durable and before the call resolves or anything else sees
   * them (the dedup index, `onAppend`). If it throws, the call rejects with that error (wrapped in
   * `StorageUnavailableError` when it is a storage fault) and its lines are cut from the log again:
   * ingestion writes its ledger entry here, so a batch is either stored and counted, or neither.
   */
  beforeAck?: (result: AppendResult) => void;
}

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

/** What one ingestion request tells the completeness ledger (per UTC receipt day and app). */
export interface IngestTally {
  day: string;
  app: string;
  accepted: number;
  duplicates: number;
  /**
   * Rejected events without a usable `event_id` (none, or an invalid one), by reason: counted as
   * is, since nothing tells a resend from a new event.
   */
  rejected: Partial<Record<RejectReason, number>>;
  /**
   * Rejected events that carry a valid `event_id`, present only when there are some. The ledger
   * counts each (app, id) once, so a resend after a lost answer does not count it again.
   */
  rejectedIds?: RejectedEvent[];
  /**
   * Events the SDK reports it had to discard (full queue, storage failure, consent is not counted),
   * from a batch without `dropped_id`: counted as is.
   */
  dropped: number;
  /**
   * A batch's `dropped` with its `dropped_id`: a running total the SDK may resend. The ledger counts
   * only what it adds over the largest total already counted for (app, id).
   */
  dropReport?: DropReport;
  bots: number;
}

export interface RejectedEvent {
  id: string;
  reason: RejectReason;
}

export interface DropReport {
  id: string;
  total: number;
}

/** Counters behind `/api/analytics/completeness`. Owned by `rollup/` (SQLite). */
export interface Ledger {
  /**
   * Records one request's tally atomically and returns how many dropped events it counted
   * (`dropped` plus the drop report's increase over what was counted for its id before).
   * Each of `rejectedIds` is counted only if its (app, id) was not counted in the last 2 receipt days.
   */
  record(tally: IngestTally): number;
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
  /** The query side (rollups + real-time figures). Owned by `rollup/`. */
  analytics: Analytics;
  /** Prometheus counters and histograms (`ops/metrics.ts`); the log store reports fsync latency here. */
  metrics: Metrics;
  /** Kafka / ClickHouse forwarders, when configured (`forward/`). */
  forward?: ForwardHub;
  /** Storage health behind `/healthz` and the 503s; `createApp` makes one when absent. */
  health?: StorageHealth;
}
