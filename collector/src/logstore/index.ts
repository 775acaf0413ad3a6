export { openLogStore } from './store.js';
export type { LogStoreOptions, LogStoreStats, OpenLogStore } from './store.js';
export { nodeLogFs } from './fs.js';
export { LogLockedError } from './lock.js';
export type { LogFs } from './fs.js';
