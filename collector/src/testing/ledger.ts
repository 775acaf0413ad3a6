import type { RejectReason } from '@tally/protocol';
import type { IngestTally, Ledger } from '../deps.js';
import { REJECTED_ID_DAYS } from '../rollup/ledger.js';
import { addDays } from '../shared/index.js';

/** A ledger that remembers every tally, in call order. */
export interface RecordingLedger extends Ledger {
  readonly tallies: IngestTally[];
  /** Rejections by reason as the SQLite ledger would have counted them for (receipt day, app). */
  rejectedCounted(day: string, app: string): Partial<Record<RejectReason, number>>;
}

export function createRecordingLedger(): RecordingLedger {
  const tallies: IngestTally[] = [];
  // Largest total counted per (app, report id), like the SQLite ledger (without its 7-day horizon).
  const reports = new Map<string, number>();
  // Last receipt day each (app, rejected event id) was seen, with the SQLite ledger's horizon.
  const rejectedIds = new Map<string, string>();
  const rejected = new Map<string, Partial<Record<RejectReason, number>>>();
  const countRejected = (tally: IngestTally) => {
    const key = tally.day + '\n' + tally.app;
    const counts = rejected.get(key) ?? {};
    rejected.set(key, counts);
    for (const [reason, n] of Object.entries(tally.rejected) as [RejectReason, number][]) counts[reason] = (counts[reason] ?? 0) + n;
    const horizon = addDays(tally.day, -REJECTED_ID_DAYS);
    for (const r of tally.rejectedIds ?? []) {
      const idKey = tally.app + '\n' + r.id;
      const last = rejectedIds.get(idKey);
      if (last === undefined || last < horizon) counts[r.reason] = (counts[r.reason] ?? 0) + 1;
      if (last === undefined || last < tally.day) rejectedIds.set(idKey, tally.day);
    }
  };
  return {
    tallies,
    rejectedCounted(day, app) {
      return { ...rejected.get(day + '\n' + app) };
    },
    record(tally) {
      // A deep copy, so a caller reusing its object cannot rewrite history.
      const copy: IngestTally = { ...tally, rejected: { ...tally.rejected } };
      if (tally.rejectedIds) copy.rejectedIds = tally.rejectedIds.map((r) => ({ ...r }));
      if (tally.dropReport) copy.dropReport = { ...tally.dropReport };
      tallies.push(copy);
      countRejected(tally);
      const r = tally.dropReport;
      if (!r) return tally.dropped;
      const key = tally.app + '\n' + r.id;
      const before = reports.get(key) ?? 0;
      reports.set(key, Math.max(before, r.total));
      return tally.dropped + Math.max(0, r.total - before);
    },
  };
}
