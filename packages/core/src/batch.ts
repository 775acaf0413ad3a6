import type { WireEvent } from './wire.js';

/** UTF-8 length of a string. Each surrogate half counts 3 bytes, so it can only over-estimate. */
export const bytes = (s: string): number => {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 127) n += c > 2047 ? 2 : 1;
  }
  return n;
};

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
