import type { LockRunner } from '@tally/core';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Web Locks (exact, released when a tab dies). Where they are missing (Safari before 15.4, Firefox
 * before 96) or refused (opaque origins, some embedded contexts), `fn` runs without a lock: two
 * tabs may then send the same events at once, and the collector's `event_id` deduplication keeps
 * every count exact. (A localStorage lease covered those browsers until issue 12: its 156 B gzipped
 * paid for reading the queue 100 events per request instead of one, docs/sdk-browser.md#size.)
 *
 * A Web Lock is kept 250 ms after the section ends. Chromium keeps a copy of localStorage in each
 * renderer process and tells the others about a write asynchronously, on a channel not ordered
 * with Web Locks: a tab granted the lock right after another released it can still read what the
 * other wrote before it, and send or move the same events again (seen: a 20 ms lag at load 9,
 * `e2e/upgrade.test.ts`). IndexedDB needs no hold; it costs it nothing.
 */
export const createBrowserLock =
  (): LockRunner =>
  async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    let ran: Promise<T> | undefined;
    try {
      return await navigator.locks.request('tally:lock:' + name, () => (ran = fn()).finally(() => sleep(250)));
    } catch {
      // Once fn ran, its own rejection is passed on: fn must not run twice.
      return ran || fn();
    }
  };
