import type { RejectReason } from '@tally/protocol';

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
   * A promise when the write had to wait its turn (the rollup worker was mid-transaction: write-gate.ts).
   */
  record(tally: IngestTally): number | Promise<number>;
}
