export { kvStorage, KV_EVENT } from './kv-storage.js';
export type { KeyValueBackend } from './kv-storage.js';
export { queueStorage, KV_LEGACY, KV_META } from './queue-storage.js';
export type { Put, RecordKey, Step, StepRunner } from './queue-storage.js';
