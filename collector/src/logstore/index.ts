export { openLogStore } from './store.js';
export type { LogStoreOptions, LogStoreStats, OpenLogStore } from './store.js';
export { openLogReader } from './read-only.js';
export type { LogReaderOptions } from './read-only.js';
export { nodeLogFs } from './fs.js';
export { LogLockedError } from './lock.js';
export type { LogFs } from './fs.js';
export type { LogRecord } from './ndjson.js';
export { readStoredEvents, storedEvents } from './stored-events.js';
