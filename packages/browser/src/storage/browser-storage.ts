import type { Storage } from '@tally/core';
import { createFallbackStorage } from './fallback-storage.js';
import { openIdbStorage } from './idb-storage.js';
import { kvQueueStorage, memoryBackend } from './kv-queue-storage.js';

/**
 * IndexedDB database `name` → localStorage keys `name:*` → memory. The host page never sees a
 * storage exception: a failing tier is abandoned for the next one.
 */
export function createBrowserStorage(name: string, log?: (message: string, detail?: unknown) => void): Storage {
  return createFallbackStorage(
    [
      () => openIdbStorage(name),
      () => {
        // Reading `localStorage` throws when site data is blocked; the probe write catches
        // old Safari private mode, where every setItem throws.
        localStorage.setItem(name, '');
        localStorage.removeItem(name);
        return kvQueueStorage(localStorage, name);
      },
      () => kvQueueStorage(memoryBackend(), name),
    ],
    log,
  );
}
