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
  const me = Math.random() + '';
  const holder = (): { id?: string; exp?: number } => JSON.parse(localStorage.getItem(key) || '{}');
  const take = () => localStorage.setItem(key, JSON.stringify({ id: me, exp: Date.now() + leaseMs }));
  const mine = () => holder().id == me;
  try {
    for (;;) {
      // Free or expired (`undefined > now` is false): take it, then check no other tab overwrote it.
      if (!(holder().exp! > Date.now())) {
        take();
        await sleep(Math.min(50, pollMs));
        if (mine()) break;
      }
      await sleep(pollMs);
    }
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

/** Web Locks where available (exact, released when a tab dies), else the localStorage lease. */
export const createBrowserLock =
  (opts?: LeaseOptions): LockRunner =>
  <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const key = 'tally:lock:' + name;
    let ran = false;
    try {
      return (
        navigator.locks.request(key, () => {
          ran = true;
          return fn();
        }) as Promise<T>
      ).catch((err: unknown) => {
        // Refused (opaque origins, some embedded contexts): use the lease instead.
        if (ran) throw err;
        return withLease(key, fn, opts);
      });
    } catch {
      return withLease(key, fn, opts);
    }
  };
