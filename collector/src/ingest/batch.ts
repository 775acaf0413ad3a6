import { BatchSchema, LIMITS } from '@tally/protocol';
import type { BodyError } from './body.js';

export interface CheckedBatch {
  events: unknown[];
  sent_at?: string;
  app?: string;
  dropped?: number;
  dropped_id?: string;
}

export type BatchResult = { ok: true; batch: CheckedBatch } | BodyError;

const FIELD_ERRORS: Record<string, string> = {
  events: 'events must be an array',
  sent_at: 'sent_at must be an ISO-8601 date-time with a time zone, e.g. 2026-11-20T10:00:00.000Z',
  app: 'app must be a string of at most 64 characters',
  dropped: 'dropped must be a whole number, 0 or more',
  dropped_id: `dropped_id must be a string of 1 to ${LIMITS.idLength} UTF-16 code units without a lone surrogate`,
};

/**
 * Checks the batch envelope with the protocol's `BatchSchema` and names the first bad field.
 * The events themselves are checked one by one later: a bad event never sinks its batch.
 */
export function checkBatch(value: unknown, maxBatch: number, checkProto: boolean): BatchResult {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, status: 400, error: 'body must be a JSON object' };
  }
  if (checkProto && Object.hasOwn(value, '__proto__')) {
    return { ok: false, status: 400, error: 'body must not have a "__proto__" key' };
  }
  const parsed = BatchSchema.safeParse(value);
  if (!parsed.success) {
    const field = String(parsed.error.issues[0]?.path[0] ?? '');
    return { ok: false, status: 400, error: FIELD_ERRORS[field] ?? `body field ${field} is invalid` };
  }
  const batch = parsed.data;
  if (batch.sent_at !== undefined && !Number.isFinite(Date.parse(batch.sent_at))) {
    return { ok: false, status: 400, error: FIELD_ERRORS.sent_at! };
  }
  if (batch.events.length > maxBatch) {
    return {
      ok: false,
      status: 413,
      error: `too many events: ${batch.events.length} in one batch, at most ${maxBatch}; split the batch`,
    };
  }
  return { ok: true, batch };
}
