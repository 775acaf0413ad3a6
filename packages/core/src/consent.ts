import type { Consent } from './wire.js';
import type { ConsentState } from './types.js';

export interface ConsentValue {
  state: ConsentState;
  flags: Consent;
}

const all = (on: boolean): Consent => ({ analytics: on, marketing: on, personalization: on });

/**
 * Folds a `consent()` argument into the current value. A state string sets every flag (pending
 * counts as not yet given); an object updates the flags it names, and its `analytics` flag decides
 * the state, because analytics is the purpose Tally collects for.
 */
export const nextConsent = (input: Partial<Consent> | ConsentState, cur: ConsentValue): ConsentValue => {
  if (typeof input == 'string') return { state: input, flags: all(input == 'granted') };
  const flags = { ...cur.flags, ...input };
  const a = input.analytics;
  return { state: a == null ? cur.state : a ? 'granted' : 'denied', flags };
};

export const initialConsent = (input: Partial<Consent> | ConsentState | undefined): ConsentValue =>
  nextConsent(input ?? 'granted', { state: 'pending', flags: all(false) });
