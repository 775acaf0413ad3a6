export { openLogStore } from './store.js';
export type { LogStoreOptions, LogStoreStats, OpenLogStore } from './store.js';
export { openLogReader } from './reader.js';
export type { LogReaderOptions } from './reader.js';
export { nodeLogFs } from './fs.js';
export { LogLockedError } from './lock.js';
export type { LogFs } from './fs.js';
export type { LogRecord } from './read.js';
