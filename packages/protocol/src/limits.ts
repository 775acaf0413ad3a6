/** Limits of the wire format v1. The collector enforces them; the SDKs respect them before sending. */
export const LIMITS = {
  eventIdLength: 64,
  idLength: 256,
  featureLength: 128,
  urlLength: 2048,
  stringLength: 1024,
  metadataBytes: 16 * 1024,
  metadataDepth: 8,
  appLength: 64,
  maxPastDays: 365,
  maxFutureMs: 10 * 60 * 1000,
  dedupWindowHours: 48,
} as const;

export const STANDARD_EVENT_TYPES = [
  'page_view',
  'action',
  'conversion',
  'error',
  'web_vital',
  'identify',
] as const;

export type StandardEventType = (typeof STANDARD_EVENT_TYPES)[number];

/** A custom event name: lower case, starts with a letter, at most 64 characters. */
export const CUSTOM_EVENT_TYPE = /^[a-z][a-z0-9_.:-]{0,63}$/;

/** Reason codes the collector gives for an event it did not store. Stable: clients may switch on them. */
export const REJECT_REASONS = [
  'not_an_object',
  'invalid_event_id',
  'invalid_event_type',
  'invalid_ts',
  'too_old',
  'invalid_field',
  'url_too_long',
  'metadata_not_object',
  'metadata_too_large',
  'metadata_too_deep',
] as const;

export type RejectReason = (typeof REJECT_REASONS)[number];
