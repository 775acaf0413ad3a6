import { LIMITS, isValidId, type RejectReason, type Rejection } from '@tally/protocol';
import type { IngestTally, RejectedEvent } from '../deps.js';
import { utcDay } from '../shared/index.js';

/** The ledger's app key for batches that name no app. A batch that says `"app":"default"` shares it. */
export const DEFAULT_APP = 'default';

export function appKey(app: string | undefined): string {
  return app === undefined || app === '' ? DEFAULT_APP : app;
}

export function countReasons(rejected: Rejection[]): Partial<Record<RejectReason, number>> {
  const out: Partial<Record<RejectReason, number>> = {};
  for (const r of rejected) out[r.reason] = (out[r.reason] ?? 0) + 1;
  return out;
}

/**
 * The `event_id` of a rejected raw event when it is one the protocol would accept (1–64 UTF-16
 * code units, no lone surrogate: the protocol's `isValidId`), else undefined: an id that is itself
 * invalid cannot name the event reliably.
 */
export function rejectedEventId(raw: unknown): string | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || !Object.hasOwn(raw, 'event_id')) return undefined;
  const id = (raw as { event_id?: unknown }).event_id;
  return isValidId(id, LIMITS.eventIdLength, 1) ? id : undefined;
}

/**
 * The ledger entry of one acknowledged request.
 *
 * A rejected event with a valid `event_id` goes to the ledger by id, which counts each (app, id)
 * once, so a batch resent after a lost answer (with or without new events) adds nothing for it.
 * For what carries no usable id the ledger can only guess: a batch whose events were *all*
 * duplicates is a replay of a batch already acknowledged, so its id-less rejections and a
 * `dropped` without `dropped_id` count 0 (missed when the resend also carries new events).
 * A `dropped` with `dropped_id` goes to the ledger as a drop report, which counts only the
 * increase over the id's largest total, replay or not.
 * `rejected[i].index` points into `events`, the batch's raw events.
 * Returns undefined when there is nothing to count.
 */
export function ingestTally(input: {
  receivedAt: number;
  app: string | undefined;
  accepted: number;
  duplicates: number;
  rejected: Rejection[];
  events: readonly unknown[];
  dropped: number;
  droppedId?: string | undefined;
  bots: number;
}): IngestTally | undefined {
  const replay = input.accepted === 0 && input.duplicates > 0;
  const withoutId: Rejection[] = [];
  const byId: RejectedEvent[] = [];
  for (const r of input.rejected) {
    const id = rejectedEventId(input.events[r.index]);
    if (id === undefined) withoutId.push(r);
    else byId.push({ id, reason: r.reason });
  }
  const tally: IngestTally = {
    day: utcDay(input.receivedAt),
    app: appKey(input.app),
    accepted: input.accepted,
    duplicates: input.duplicates,
    rejected: replay ? {} : countReasons(withoutId),
    dropped: replay || input.droppedId !== undefined ? 0 : input.dropped,
    bots: input.bots,
  };
  if (byId.length > 0) tally.rejectedIds = byId;
  if (input.droppedId !== undefined && input.dropped > 0) tally.dropReport = { id: input.droppedId, total: input.dropped };
  const empty =
    tally.accepted === 0 && tally.duplicates === 0 && tally.dropped === 0 && tally.bots === 0 &&
    tally.dropReport === undefined && tally.rejectedIds === undefined && Object.keys(tally.rejected).length === 0;
  return empty ? undefined : tally;
}
