export { kvStorage, KV_EVENT, KV_LEGACY, KV_META } from './kv-storage.js';
export type { KeyValueBackend } from './kv-storage.js';
