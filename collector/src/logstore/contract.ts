import type { StoredEvent } from '@tally/protocol';

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
  /**
   * Every stored event of one day file, in order (for start-up rebuilds, rollups, exports). With
   * `utcDates`, events whose `time` is provably on another UTC date may be left out unparsed
   * (logstore/time-filter.ts); never fewer than those on the dates, callers decide on the parsed event.
   */
  readDay(day: string, utcDates?: ReadonlySet<string>): AsyncIterable<StoredEvent>;
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
   *
   * `ids` (erasure of one person): only lines containing one of these ids, as JSON strings, are
   * parsed and shown to `keep`; the others are copied unread, and a corrupt line among them is not
   * counted. The array may grow during the rewrite (links `keep` learns) and is searched again.
   */
  rewriteDay(day: string, keep: (event: StoredEvent) => boolean, ids?: readonly string[]): Promise<number>;
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
   * A returned promise is awaited (the ledger write may wait its turn behind the rollup worker).
   */
  beforeAck?: (result: AppendResult) => void | Promise<void>;
}
