import { fit, serialize } from './batch.js';
import type { Transport } from './types.js';
import type { WireEvent } from './wire.js';

/**
 * Sends `events` through `transport.sendUrgent` in chunks of at most `maxBytes` (the beacon budget).
 * Without acknowledgement nothing is removed: the events stay queued and the collector's
 * `event_id` deduplication absorbs the later re-send. No `dropped` count rides along for the same
 * reason. Stops at the first refusal: the platform's budget is spent. True when every event was
 * handled (an event too big for any beacon counts as handled: the normal path deals with it).
 */
export const sendUrgent = (
  transport: Transport,
  events: WireEvent[],
  maxBytes: number,
  sentAt: string,
  app: string | undefined,
): boolean => {
  const env = { sent_at: sentAt, app };
  let rest = events;
  while (transport.sendUrgent && rest.length) {
    const n = fit(rest, 1e9, maxBytes, env);
    if (n && !transport.sendUrgent(serialize(rest.slice(0, n), env))) break;
    rest = rest.slice(n || 1);
  }
  return !rest.length;
};
