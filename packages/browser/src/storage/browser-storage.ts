import { fallbackStorage, queueStorage, type Storage } from '@tally/core';
import { kvRunner, withLegacyQueue } from '@tally/core/adapter';
import { openIdbStorage } from './idb-storage.js';

/**
 * IndexedDB database `name` → localStorage keys `name:*` (core adds memory as the last tier). The
 * host page never sees a storage exception: a failing tier is abandoned for the next one.
 */
export function createBrowserStorage(name: string, log?: (message: string, detail?: unknown) => void): Storage {
  return fallbackStorage(
    [
      () => openIdbStorage(name),
      // Reading `localStorage` throws when site data is blocked, and old Safari private mode throws on
      // every setItem: either fails the call that tried, which moves on to the next tier.
      // Both tiers move an SDK 0.1 queue (`tally.q`) into the new layout on their first step.
      () => queueStorage(withLegacyQueue(kvRunner(localStorage, name + ':'))),
    ],
    log,
  );
}
