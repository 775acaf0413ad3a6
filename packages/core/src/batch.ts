import type { WireEvent } from './wire.js';

/**
 * An upper bound of a string's UTF-8 length: 3 bytes for every non-ASCII UTF-16 unit (exact from
 * U+0800; one too many for U+0080–U+07FF, two for a surrogate pair). A batch may come out a little
 * under its byte limit, never over.
 */
export const bytes = (s: string): number => s.replace(/[^\0-\x7f]/g, '...').length;

/** The batch fields besides `events`; `undefined` ones are left out of the JSON. */
export interface Envelope {
  sent_at: string;
  app?: string | undefined;
  dropped?: number | undefined;
  dropped_id?: string | undefined;
}

export const serialize = (events: WireEvent[], env: Envelope): string => JSON.stringify({ events, ...env });

/**
 * How many events from the head of `list` fit in one batch of at most `maxEvents` events and
 * `maxBytes` serialized bytes. 0 means even the first event alone is too big.
 */
export const fit = (list: WireEvent[], maxEvents: number, maxBytes: number, env: Envelope): number => {
  let size = bytes(serialize([], env));
  let n = 0;
  for (; n < list.length && n < maxEvents; n++) {
    size += bytes(JSON.stringify(list[n])) + (n ? 1 : 0);
    if (size > maxBytes) break;
  }
  return n;
};
