import { fit, serialize } from './batch.js';
import type { Transport } from './types.js';
import type { WireEvent } from './wire.js';

/**
 * Sends `events` through `transport.sendUrgent` in chunks of at most `maxBytes` (the beacon budget).
 * Without acknowledgement nothing is removed: the events stay queued and the collector's
 * `event_id` deduplication absorbs the later re-send. No `dropped` count rides along for the same
 * reason. Stops at the first refusal: the platform's budget is spent. Returns the ids handled:
 * fewer than `events` means a refusal.
 */
export const sendUrgent = (
  transport: Transport,
  events: WireEvent[],
  maxBytes: number,
  sentAt: string,
  app: string | undefined,
): string[] => {
  const done: string[] = [];
  const env = { sent_at: sentAt, app };
  let rest = events;
  while (transport.sendUrgent && rest.length) {
    const n = fit(rest, 1e9, maxBytes, env);
    // An event too big for any beacon is skipped here; the normal path will deal with it.
    if (n && !transport.sendUrgent(serialize(rest.slice(0, n), env))) break;
    // A skipped event counts as handled: the storage read that may follow would skip it too.
    for (const q of rest.slice(0, n || 1)) done.push(q.event_id!);
    rest = rest.slice(n || 1);
  }
  return done;
};
