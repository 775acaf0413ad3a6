import type { Storage } from '@tally/core';
import { createFallbackStorage } from './fallback-storage.js';
import { openIdbStorage } from './idb-storage.js';
import { kvQueueStorage, memoryBackend } from './kv-queue-storage.js';

function localStorageTier(name: string): Storage {
  // Reading `localStorage` itself throws when site data is blocked; a write probe catches
  // Safari's old private mode, where every setItem throws.
  const ls = localStorage;
  const probe = name + ':probe';
  ls.setItem(probe, '1');
  ls.removeItem(probe);
  return kvQueueStorage(ls, name);
}

/**
 * IndexedDB database `name` → localStorage keys `name:*` → memory. The host page never sees
 * a storage exception: a failing tier is abandoned for the next one.
 */
export function createBrowserStorage(name: string, log?: (message: string, detail?: unknown) => void): Storage {
  return createFallbackStorage(
    [() => openIdbStorage(name), () => localStorageTier(name), () => kvQueueStorage(memoryBackend(), name)],
    log,
  );
}
