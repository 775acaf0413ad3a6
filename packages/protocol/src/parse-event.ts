import { LIMITS, type RejectReason } from './limits.js';
import { EventTypeSchema, WireEventSchema } from './schemas.js';
import { jsonBytes, jsonDepth } from './metadata.js';
import type { WireEvent } from './types.js';
import { parseEventFast } from './parse-event-fast.js';

export type ParsedEvent = { ok: true; event: WireEvent } | { ok: false; reason: RejectReason };

/**
 * Checks one event of a batch and names the first problem with a stable reason code.
 * Time-dependent checks (too old, in the future) belong to the collector, which knows the receive time.
 */
export function parseEvent(raw: unknown): ParsedEvent {
  const fast = parseEventFast(raw);
  return fast ? { ok: true, event: fast } : parseEventWithSchema(raw);
}

/** The reference implementation: zod, with the first problem mapped to a reason code. */
export function parseEventWithSchema(raw: unknown): ParsedEvent {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { ok: false, reason: 'not_an_object' };
  const r = raw as Record<string, unknown>;
  if (!EventTypeSchema.safeParse(r.event_type).success) return { ok: false, reason: 'invalid_event_type' };
  if (r.metadata !== undefined) {
    const m = r.metadata;
    if (m === null || typeof m !== 'object' || Array.isArray(m)) return { ok: false, reason: 'metadata_not_object' };
    if (jsonDepth(m) > LIMITS.metadataDepth) return { ok: false, reason: 'metadata_too_deep' };
    if (jsonBytes(m) > LIMITS.metadataBytes) return { ok: false, reason: 'metadata_too_large' };
  }
  const parsed = WireEventSchema.safeParse(raw);
  if (parsed.success) return { ok: true, event: parsed.data };
  const issue = parsed.error.issues[0];
  const field = issue?.path[0];
  if (field === 'ts') return { ok: false, reason: 'invalid_ts' };
  if (field === 'event_id') return { ok: false, reason: 'invalid_event_id' };
  if (field === 'url' && issue?.code === 'too_big') return { ok: false, reason: 'url_too_long' };
  return { ok: false, reason: 'invalid_field' };
}
