export { createClient, KEY_OPTOUT } from './client.js';
export { redactUrl } from './redact.js';
export type {
  Client,
  ClientOptions,
  Clock,
  ConsentState,
  Lifecycle,
  LifecycleEvent,
  LockRunner,
  QueuedEvent,
  Storage,
  Transport,
  TransportResult,
} from './types.js';
export type { Consent, EventContext, IngestResponse, WireBatch, WireEvent } from './wire.js';
