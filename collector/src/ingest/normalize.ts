import { randomUUID } from 'node:crypto';
import { LIMITS, WireEventSchema, parseEvent, type RejectReason, type StoredEvent } from '@tally/protocol';
import { hasProtoKey } from './proto-keys.js';
import { isoString, parseIso } from '../shared/index.js';
import type { UaContext } from './user-agent.js';

/** What every event of one request shares. */
export interface BatchContext {
  receivedAt: number;
  /** `receivedAt` as ISO-8601, computed once per request. */
  receivedIso: string;
  /** received_at − sent_at in ms; 0 when the batch has no `sent_at`. */
  skewMs: number;
  app: string | undefined;
  ua: UaContext;
  /** Scan the raw event for `__proto__` keys (only when the body text could contain one). */
  checkProto: boolean;
}

export type Normalized = { ok: true; event: StoredEvent } | { ok: false; reason: RejectReason };

const MAX_PAST_MS = LIMITS.maxPastDays * 24 * 3600 * 1000;
type Field = keyof StoredEvent;
/** The wire fields copied as they are (the schema is the list; the rest are set explicitly below). */
const COPIED = (Object.keys(WireEventSchema.shape) as Field[]).filter(
  (k) => k !== 'event_id' && k !== 'event_type' && k !== 'ts' && k !== 'context',
);

/**
 * Turns one wire event into the line the log stores: protocol validation, an `event_id` when the
 * client sent none, the skew-corrected `time` (rollups use it, `ts` stays as the client said),
 * the too-old and future rules, the batch's `app`, and browser/os/device_type from the
 * User-Agent for whichever of them the event leaves empty.
 */
export function normalizeEvent(raw: unknown, b: BatchContext): Normalized {
  if (b.checkProto && hasProtoKey(raw)) return { ok: false, reason: 'invalid_field' };
  const parsed = parseEvent(raw);
  if (!parsed.ok) return parsed;
  const e = parsed.event;

  const tsMs = parseIso(e.ts);
  if (!Number.isFinite(tsMs)) return { ok: false, reason: 'invalid_ts' };
  let time = tsMs + b.skewMs;
  if (time < b.receivedAt - MAX_PAST_MS) return { ok: false, reason: 'too_old' };
  let clamped = false;
  if (time > b.receivedAt + LIMITS.maxFutureMs) {
    time = b.receivedAt;
    clamped = true;
  }

  // Built field by field in one fixed order rather than spread: every stored event then shares one
  // object shape, which keeps this hot path several times faster than spreading zod's output.
  const stored: StoredEvent = {
    event_id: e.event_id ?? randomUUID(),
    event_type: e.event_type,
    ts: e.ts,
    time: isoString(time),
    received_at: b.receivedIso,
  };
  if (b.app !== undefined) stored.app = b.app;
  if (clamped) stored.clamped = true;
  const record = stored as Record<Field, unknown>;
  for (const k of COPIED) if (e[k as keyof typeof e] !== undefined) record[k] = e[k as keyof typeof e];
  const context = withUa(e.context, b.ua);
  if (context) stored.context = context;
  return { ok: true, event: stored };
}

function withUa(context: StoredEvent['context'], ua: UaContext): StoredEvent['context'] {
  if (ua.browser === undefined && ua.os === undefined && ua.device_type === undefined) return context;
  const out: NonNullable<StoredEvent['context']> = {};
  if (context) for (const k in context) (out as Record<string, unknown>)[k] = context[k as keyof typeof context];
  if (out.browser === undefined && ua.browser !== undefined) out.browser = ua.browser;
  if (out.os === undefined && ua.os !== undefined) out.os = ua.os;
  if (out.device_type === undefined && ua.device_type !== undefined) out.device_type = ua.device_type;
  return out;
}
