// Building blocks for adapters that the pipeline itself never uses: kept out of the main entry so
// an app bundles only what its platform needs (and core's size budget counts the pipeline).
export { kvStorage, kvRunner, KV_EVENT } from '../kv/kv-storage.js';
export type { KeyValueBackend } from '../kv/kv-storage.js';
export { withLegacyQueue, KV_LEGACY } from './legacy-queue.js';
export { queueStorage } from '../queue-storage.js';
export { parseRetryAfter } from './retry-after.js';
export { redactUrl } from '../redact.js';
export { defaultUuid } from './uuid.js';
