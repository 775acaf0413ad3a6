import { z } from 'zod';
import { CUSTOM_EVENT_TYPE, LIMITS, STANDARD_EVENT_TYPES } from './limits.js';
import { isValidId } from './ids.js';

const str = (max: number = LIMITS.stringLength) => z.string().max(max);
const isoTime = z.iso.datetime({ offset: true });
/** An id by the rule of ids.ts (UTF-16 units, no lone surrogate), not zod's code-point `.max()`. */
const id = (max: number, min = 0) =>
  z.string().refine((s) => isValidId(s, max, min), { message: `must be ${min} to ${max} UTF-16 code units without a lone surrogate` });

export const EventTypeSchema = z.union([z.enum(STANDARD_EVENT_TYPES), z.string().regex(CUSTOM_EVENT_TYPE)]);

export const ConsentSchema = z.object({
  analytics: z.boolean(),
  marketing: z.boolean(),
  personalization: z.boolean(),
});

export const ContextSchema = z.object({
  app_version: str(64).optional(),
  platform: str(32).optional(),
  os: str(64).optional(),
  browser: str(64).optional(),
  device_type: str(32).optional(),
  locale: str(35).optional(),
  timezone: str(64).optional(),
  screen: str(32).optional(),
  referrer: str(LIMITS.urlLength).optional(),
  title: str(512).optional(),
  sdk: z.object({ name: str(64), version: str(32) }).optional(),
});

/** A JSON object; its size and depth are checked separately (see metadata.ts) so the reason code is precise. */
export const MetadataSchema = z.record(z.string(), z.unknown());

/** One event as a client sends it. */
export const WireEventSchema = z.object({
  event_id: id(LIMITS.eventIdLength, 1).optional(),
  event_type: EventTypeSchema,
  ts: isoTime,
  feature: str(LIMITS.featureLength).optional(),
  user_id: id(LIMITS.idLength).optional(),
  anonymous_id: id(LIMITS.idLength).optional(),
  session_id: id(LIMITS.idLength).optional(),
  url: str(LIMITS.urlLength).optional(),
  metadata: MetadataSchema.optional(),
  context: ContextSchema.optional(),
  consent: ConsentSchema.optional(),
});

/**
 * The body of `POST /v1/events`. `events` is checked item by item (a bad event never sinks its batch),
 * so here it is only an array.
 */
export const BatchSchema = z.object({
  events: z.array(z.unknown()),
  sent_at: isoTime.optional(),
  app: str(LIMITS.appLength).optional(),
  dropped: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  /**
   * Names the drop report `dropped` is the running total of. The SDK keeps the id (and lets the total
   * only grow) until a batch carrying it is acknowledged, so the collector can count each report's
   * increase once even when a batch whose answer was lost is resent with new events.
   */
  dropped_id: id(LIMITS.idLength, 1).optional(),
});

/** One line of the NDJSON log: the normalized event plus what the collector adds. */
export const StoredEventSchema = WireEventSchema.extend({
  event_id: id(LIMITS.eventIdLength, 1),
  /** Skew-corrected event time (ISO-8601, UTC). Rollups use this, never `ts`. */
  time: isoTime,
  /** When the collector received the batch (ISO-8601, UTC). */
  received_at: isoTime,
  app: str(LIMITS.appLength).optional(),
  /** Set when `time` was more than 10 minutes in the future and was clamped to `received_at`. */
  clamped: z.literal(true).optional(),
});
