import type { z } from 'zod';
import type {
  BatchSchema,
  ConsentSchema,
  ContextSchema,
  StoredEventSchema,
  WireEventSchema,
} from './schemas.js';
import type { RejectReason } from './limits.js';

export type Consent = z.infer<typeof ConsentSchema>;
export type EventContext = z.infer<typeof ContextSchema>;
export type WireEvent = z.infer<typeof WireEventSchema>;
export type StoredEvent = z.infer<typeof StoredEventSchema>;

/** The batch body as a client builds it (events already well-formed). */
export type Batch = Omit<z.infer<typeof BatchSchema>, 'events'> & { events: WireEvent[] };

export interface Rejection {
  index: number;
  reason: RejectReason;
}

/** `200` answer of `POST /v1/events`. */
export interface IngestResponse {
  ok: true;
  logged: number;
  duplicates: number;
  rejected: Rejection[];
}

/** Every non-2xx answer of the collector. */
export interface ErrorResponse {
  ok: false;
  error: string;
}
