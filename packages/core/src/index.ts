export { createClient, KEY_OPTOUT } from './client.js';
export { redactUrl } from './redact.js';
export { fallbackStorage, kvStorage, memoryStorage } from './storage.js';
export type { KeyValueBackend, StorageTier } from './storage.js';
export type {
  Client,
  ClientOptions,
  Clock,
  ConsentState,
  Lifecycle,
  LifecycleEvent,
  LockRunner,
  Storage,
  Transport,
  TransportResult,
} from './types.js';
export type { Consent, EventContext, IngestResponse, WireBatch, WireEvent } from './wire.js';
