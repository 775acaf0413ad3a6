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
 * absorbs the rare overlap. Without localStorage there is no one to exclude: run at once.
 */
export async function withLease<T>(key: string, fn: () => Promise<T>, opts: LeaseOptions = {}): Promise<T> {
  const { leaseMs = 10_000, pollMs = 250 } = opts;
  let ls: globalThis.Storage;
  try {
    ls = localStorage;
  } catch {
    return fn();
  }
  const me = Math.random().toString(36).slice(2);
  const holder = (): { id: string; exp: number } | null => {
    try {
      return JSON.parse(ls.getItem(key) || 'null');
    } catch {
      return null;
    }
  };
  const take = () => ls.setItem(key, JSON.stringify({ id: me, exp: Date.now() + leaseMs }));

  for (;;) {
    const h = holder();
    if (!h || h.exp < Date.now()) {
      try {
        take();
      } catch {
        return fn();
      }
      await sleep(Math.min(50, pollMs));
      if (holder()?.id === me) break;
    }
    await sleep(pollMs);
  }
  const renew = setInterval(() => holder()?.id === me && take(), leaseMs / 3);
  try {
    return await fn();
  } finally {
    clearInterval(renew);
    if (holder()?.id === me) ls.removeItem(key);
  }
}

/** Web Locks where available (exact, released when a tab dies), else the localStorage lease. */
export function createBrowserLock(opts?: LeaseOptions): LockRunner {
  return <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const key = 'tally:lock:' + name;
    const locks = typeof navigator != 'undefined' ? navigator.locks : undefined;
    if (!locks?.request) return withLease(key, fn, opts);
    let ran = false;
    return (
      locks.request(key, () => {
        ran = true;
        return fn();
      }) as Promise<T>
    )
      .catch((err: unknown) => {
        // Web Locks can be refused (opaque origins, some embedded contexts): use the lease instead.
        if (ran) throw err;
        return withLease(key, fn, opts);
      });
  };
}
