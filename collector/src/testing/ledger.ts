import type { IngestTally, Ledger } from '../deps.js';

/** A ledger that remembers every tally, in call order. */
export interface RecordingLedger extends Ledger {
  readonly tallies: IngestTally[];
}

export function createRecordingLedger(): RecordingLedger {
  const tallies: IngestTally[] = [];
  // Largest total counted per (app, report id), like the SQLite ledger (without its 7-day horizon).
  const reports = new Map<string, number>();
  return {
    tallies,
    record(tally) {
      // A deep copy, so a caller reusing its object cannot rewrite history.
      tallies.push({ ...tally, rejected: { ...tally.rejected } });
      const r = tally.dropReport;
      if (!r) return tally.dropped;
      const key = tally.app + '\n' + r.id;
      const before = reports.get(key) ?? 0;
      reports.set(key, Math.max(before, r.total));
      return tally.dropped + Math.max(0, r.total - before);
    },
  };
}
