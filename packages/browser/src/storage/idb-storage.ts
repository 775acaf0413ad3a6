import type { Storage } from '@tally/core';

/*
 * Plain IndexedDB rather than the `idb` wrapper: core only needs `get` and an atomic
 * read-modify-write, two requests in one transaction, which costs less than idb's `openDB`
 * alone (~1.4 KB gzipped, against the script tag's 7 KB budget with core and web-vitals).
 */

/**
 * IndexedDB storage: one object store `kv`, values stored by structured clone. `update` reads and
 * writes in one readwrite transaction, so it is atomic against other tabs. Rejects if IndexedDB is
 * missing, refuses, or does not open within `openTimeoutMs` (some private modes leave `open()`
 * pending forever), so the fallback chain can take over.
 */
export const openIdbStorage = (name: string, openTimeoutMs = 3000): Promise<Storage> =>
  new Promise((resolve, reject) => {
    const req = indexedDB.open(name, 1);
    const timer = setTimeout(() => {
      reject(Error('idb: open timed out'));
      // If it opens after all, release it so it cannot block a later version upgrade.
      req.onsuccess = () => req.result.close();
    }, openTimeoutMs);
    // Version 1 of an earlier build also had a `queue` store; it is left alone.
    req.onupgradeneeded = () => req.result.createObjectStore('kv');
    req.onerror = req.onblocked = () => (clearTimeout(timer), reject(req.error || Error('idb: blocked')));
    req.onsuccess = () => {
      clearTimeout(timer);
      const db = req.result;
      // Another tab upgrading the schema: let go; our next call fails over to the next tier.
      db.onversionchange = () => db.close();
      /** One transaction on `kv`; resolves with the value read (before `next`) once it has committed. */
      const tx = (key: string, next?: (v: unknown) => unknown) =>
        new Promise<any>((done, fail) => {
          // transaction() throws on a closed or broken connection: the executor makes that a rejection.
          const t = db.transaction('kv', next ? 'readwrite' : 'readonly');
          const s = t.objectStore('kv');
          const r = s.get(key);
          // A throw in `next` aborts the transaction: nothing is half-written.
          if (next) r.onsuccess = () => {
            const v = next(r.result);
            v === undefined ? s.delete(key) : s.put(v, key);
          };
          t.oncomplete = () => done(r.result);
          t.onerror = t.onabort = () => fail(t.error || Error('idb: aborted'));
        });
      resolve({ get: tx, update: tx });
    };
  });
