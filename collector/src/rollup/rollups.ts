import type { Engine } from './engine.js';
import type { RollupReport } from './jobs.js';
import type { CompletenessDay } from './ledger.js';

export interface RollupPurge {
  days: string[];
  rows: number;
}

/**
 * The rollups of one data directory, persisted and live: the SQLite day cubes plus the live overlay
 * of the events not yet rolled up (together the `engine`, which `query/` reads), the jobs that
 * rewrite them (rollup, rebuild, purge, forget) and the ledger's completeness. `openRollups` makes it.
 */
export interface Rollups {
  /** Recomputes the rollups of these days (`YYYY-MM-DD` in TALLY_TZ) from the raw log — after an erasure, say. */
  rebuildDays(days: string[]): Promise<void>;
  close(): void;
  /**
   * The rollups' read side. Absent only on `createStubRollups` (tests of other folders, which
   * have no SQLite): the query API answers 503 then.
   */
  readonly engine?: Engine;
  /** Today in TALLY_TZ. */
  today(): string;
  /** Persists every day with live events (the nightly job; idempotent). */
  rollup(): Promise<RollupReport>;
  /** Drops every rollup and recomputes all days still in the raw log (after a TALLY_TZ change). */
  rebuildAll(): Promise<RollupReport>;
  /** Deletes rollup rows of days strictly before `day`, and users no longer in any day. */
  purgeRollupsBefore(day: string, opts?: { dryRun: boolean }): RollupPurge;
  /** True when every event of this UTC log file is in persisted rollups. */
  isRolledUp(receiptDay: string): boolean;
  /** Deletes the user-key rows of these people and every dictionary value no day holds any more
   *  (after `rebuildDays` removed their events), then truncates the WAL. */
  forgetUsers(keys: string[]): void | Promise<void>;
  /** The ledger per receipt day, plus `other`: events counted under `(other)` per dimension (dims.ts). */
  completeness(from: string, to: string, app?: string): (CompletenessDay & { other: Record<string, number> })[];
}
