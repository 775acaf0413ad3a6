import type { RejectReason, Rejection } from '@tally/protocol';
import type { IngestTally } from '../deps.js';

/** The ledger's app key for batches that name no app. A batch that says `"app":"default"` shares it. */
export const DEFAULT_APP = 'default';

export function appKey(app: string | undefined): string {
  return app === undefined || app === '' ? DEFAULT_APP : app;
}

export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function countReasons(rejected: Rejection[]): Partial<Record<RejectReason, number>> {
  const out: Partial<Record<RejectReason, number>> = {};
  for (const r of rejected) out[r.reason] = (out[r.reason] ?? 0) + 1;
  return out;
}

/**
 * The ledger entry of one acknowledged request. A batch whose events were *all* duplicates is a
 * replay of a batch we already acknowledged (its answer was lost and the SDK retried): its
 * rejections were counted the first time, so only the duplicates count now. The same guess covers
 * a `dropped` without `dropped_id` (older clients); it misses a resend that also carries new events.
 * A `dropped` with `dropped_id` needs no guess: it goes to the ledger as a drop report, which counts
 * only the increase over the id's largest total, replay or not.
 * Returns undefined when there is nothing to count.
 */
export function ingestTally(input: {
  receivedAt: number;
  app: string | undefined;
  accepted: number;
  duplicates: number;
  rejected: Rejection[];
  dropped: number;
  droppedId?: string | undefined;
  bots: number;
}): IngestTally | undefined {
  const replay = input.accepted === 0 && input.duplicates > 0;
  const tally: IngestTally = {
    day: utcDay(input.receivedAt),
    app: appKey(input.app),
    accepted: input.accepted,
    duplicates: input.duplicates,
    rejected: replay ? {} : countReasons(input.rejected),
    dropped: replay || input.droppedId !== undefined ? 0 : input.dropped,
    bots: input.bots,
  };
  if (input.droppedId !== undefined && input.dropped > 0) tally.dropReport = { id: input.droppedId, total: input.dropped };
  const empty =
    tally.accepted === 0 && tally.duplicates === 0 && tally.dropped === 0 && tally.bots === 0 &&
    tally.dropReport === undefined && Object.keys(tally.rejected).length === 0;
  return empty ? undefined : tally;
}
