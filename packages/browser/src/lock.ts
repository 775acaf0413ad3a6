import type { LockRunner } from '@tally/core';

export interface LeaseOptions {
  /** A lease not renewed for this long is free to take (its tab died). Default 10 s. */
  leaseMs?: number;
  /** How often a waiting tab looks again. Default 250 ms. */
  pollMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Cross-tab mutual exclusion through a localStorage lease `{id, exp}`: take it when free or
 * expired, confirm after a short pause that no other tab overwrote it, renew while running.
 * Not airtight (localStorage has no compare-and-set); the collector's event_id deduplication
 * absorbs the rare overlap. Without a usable localStorage there is no other tab to exclude.
 */
export async function withLease<T>(key: string, fn: () => Promise<T>, { leaseMs = 1e4, pollMs = 250 }: LeaseOptions = {}): Promise<T> {
  const me = Math.random();
  // `JSON.parse(null)` is null.
  const holder = (): { id?: unknown; exp?: number } | null => JSON.parse(localStorage.getItem(key)!);
  const take = () => localStorage.setItem(key, JSON.stringify({ id: me, exp: Date.now() + leaseMs }));
  const mine = () => holder()?.id == me;
  try {
    // Free or expired (`undefined > now` is false): take it, then after a pause (50 ms by default)
    // check that no other tab overwrote it.
    while (holder()?.exp! > Date.now() || (take(), await sleep(pollMs / 5), !mine())) await sleep(pollMs);
  } catch {
    return fn();
  }
  const renew = setInterval(() => mine() && take(), leaseMs / 3);
  try {
    return await fn();
  } finally {
    clearInterval(renew);
    if (mine()) localStorage.removeItem(key);
  }
}

/**
 * Web Locks where available (exact, released when a tab dies), else the localStorage lease.
 *
 * A Web Lock is kept 250 ms after the section ends. Chromium keeps a copy of localStorage in each
 * renderer process and tells the others about a write asynchronously, on a channel not ordered
 * with Web Locks: a tab granted the lock right after another released it can still read what the
 * other wrote before it, and send or move the same events again (seen: a 20 ms lag at load 9,
 * `e2e/upgrade.test.ts`). The lease needs no hold: it lives in localStorage, so a tab that sees it
 * released has seen every write made before. IndexedDB needs none either; the hold costs it nothing.
 */
export const createBrowserLock =
  (opts?: LeaseOptions): LockRunner =>
  async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const key = 'tally:lock:' + name;
    let ran: Promise<T> | undefined;
    try {
      return await navigator.locks.request(key, () => (ran = fn()).finally(() => sleep(250)));
    } catch {
      // Missing, or refused (opaque origins, some embedded contexts): use the lease instead. Once
      // fn ran, its own rejection is passed on: fn must not run twice.
      return ran || withLease(key, fn, opts);
    }
  };
