export { createMemoryStorage } from './storage.js';
export type { MemoryStorage, StorageMethod } from './storage.js';
export { storageContract } from './contract.js';
export type { ContractChecks, OpenStorage } from './contract.js';
export { createFakeTransport } from './transport.js';
export type { FakeTransport, FakeResponse } from './transport.js';
export { createFakeClock, createFakeLifecycle, settle } from './clock.js';
export type { FakeClock, FakeLifecycle } from './clock.js';
