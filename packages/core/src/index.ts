export { createClient, KEY_OPTOUT } from './client.js';
export { fallbackStorage } from './storage.js';
export type { StorageTier } from './storage.js';
export { memoryStorage } from './memory-storage.js';
export { queueStorage, KV_META } from './queue-storage.js';
export type { Put, RecordKey, Step, StepRunner } from './queue-storage.js';
export type {
  Client,
  ClientOptions,
  Clock,
  ConsentState,
  Lifecycle,
  LifecycleEvent,
  LockRunner,
  QueueCounters,
  QueueEntry,
  QueueHead,
  Recount,
  Storage,
  Transport,
  TransportResult,
} from './types.js';
export type { Consent, EventContext, IngestResponse, WireBatch, WireEvent } from './wire.js';
