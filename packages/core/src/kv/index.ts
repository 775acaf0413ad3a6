export { kvStorage, KV_EVENT } from './kv-storage.js';
export type { KeyValueBackend } from './kv-storage.js';
