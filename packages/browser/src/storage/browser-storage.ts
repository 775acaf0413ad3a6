import { fallbackStorage, queueStorage, type LockRunner, type Storage } from '@tally/core';
import { KV_LEGACY, kvRunner, withLegacyQueue } from '@tally/core/adapter';
import { openIdbStorage } from './idb-storage.js';

/**
 * IndexedDB database `name` → localStorage keys `name:*` (core adds memory as the last tier). The
 * host page never sees a storage exception: a failing tier is abandoned for the next one.
 *
 * `lock` is the client's cross-tab lock. SDK 0.1's single-value queue (`name:tally.q`) is moved
 * into the localStorage layout by the first queue step; while one is there, that first step runs
 * under the lock `tally-upgrade`, so that of two tabs starting together only the first moves it
 * and the second (after the lock's hold, see lock.ts) sees it gone. Not the flush lock: this tier
 * can open inside a flush (IndexedDB failing mid-drain), and a Web Lock requested by its own holder
 * never comes. IndexedDB needs no lock for this: its move is inside the step's transaction.
 */
export function createBrowserStorage(name: string, log?: (message: string, detail?: unknown) => void, lock?: LockRunner): Storage {
  return fallbackStorage(
    [
      () => openIdbStorage(name),
      // Reading `localStorage` throws when site data is blocked, and old Safari private mode throws on
      // every setItem: either fails the call that tried, which moves on to the next tier.
      // Both tiers move an SDK 0.1 queue (`tally.q`) into the new layout on their first step.
      async () => {
        const s = queueStorage(withLegacyQueue(kvRunner(localStorage, name + ':')));
        if (lock && localStorage.getItem(name + ':' + KV_LEGACY)) await lock('tally-upgrade', () => s.head(0));
        return s;
      },
    ],
    log,
  );
}
