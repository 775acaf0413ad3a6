export { LIMITS, STANDARD_EVENT_TYPES, CUSTOM_EVENT_TYPE, REJECT_REASONS } from './limits.js';
export type { StandardEventType, RejectReason } from './limits.js';
export {
  EventTypeSchema,
  ConsentSchema,
  ContextSchema,
  MetadataSchema,
  WireEventSchema,
  BatchSchema,
  StoredEventSchema,
} from './schemas.js';
export type {
  Consent,
  EventContext,
  WireEvent,
  StoredEvent,
  Batch,
  Rejection,
  IngestResponse,
  ErrorResponse,
} from './types.js';
export { parseEvent } from './parse-event.js';
export { isValidId, hasLoneSurrogate } from './ids.js';
export type { ParsedEvent } from './parse-event.js';
export { jsonDepth, jsonBytes } from './metadata.js';
