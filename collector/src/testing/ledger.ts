import type { IngestTally, Ledger } from '../deps.js';

/** A ledger that remembers every tally, in call order. */
export interface RecordingLedger extends Ledger {
  readonly tallies: IngestTally[];
}

export function createRecordingLedger(): RecordingLedger {
  const tallies: IngestTally[] = [];
  return {
    tallies,
    record(tally) {
      // A deep copy, so a caller reusing its object cannot rewrite history.
      tallies.push({ ...tally, rejected: { ...tally.rejected } });
    },
  };
}
