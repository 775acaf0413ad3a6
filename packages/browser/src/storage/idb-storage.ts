import type { Storage } from '@tally/core';
import { queueStorage, type StepRunner } from '@tally/core';
import { withLegacyQueue } from '@tally/core/adapter';

/*
 * Plain IndexedDB rather than the `idb` wrapper: a step is a few requests in one transaction,
 * which costs less than idb's `openDB` alone (~1.4 KB gzipped, against the script tag's 7 KB budget).
 */

/**
 * IndexedDB storage: database `name`, object store `kv`, values by structured clone. Core's queue
 * layout (`queueStorage`): each event its own record under its sequence number (numeric keys sort
 * before the string keys, in queue order), the counters and sequence range in the record
 * `tally.c`, identity and opt-out under their names. Each step is one readwrite transaction,
 * atomic against other tabs; a throw inside it (a recount) aborts it, so nothing is half-written.
 *
 * The schema is still version 1, as SDK 0.1 made it: an 0.1 tab open at the same time keeps
 * working, and its single-value queue (`tally.q`) is moved into this layout by the first step of
 * each start, inside that step's transaction, so two tabs starting at once move it exactly once.
 * Rejects if IndexedDB is missing, refuses, or does not open within `openTimeoutMs` (some
 * private modes leave `open()` pending forever), so the fallback chain can take over.
 */
export const openIdbStorage = (name: string, openTimeoutMs = 3000): Promise<Storage> =>
  new Promise((resolve, reject) => {
    const req = indexedDB.open(name, 1);
    const timer = setTimeout(() => {
      reject(Error('idb: open timed out'));
      // If it opens after all, release it so it cannot block a later version upgrade.
      req.onsuccess = () => req.result.close();
    }, openTimeoutMs);
    // An earlier build's version 1 also had a `queue` store; it is left alone.
    req.onupgradeneeded = () => req.result.createObjectStore('kv');
    // Never `blocked`: nothing here asks for a version change, and a stuck open meets the timeout.
    req.onerror = () => (clearTimeout(timer), reject(req.error));
    req.onsuccess = () => {
      clearTimeout(timer);
      const db = req.result;
      // Another tab upgrading the schema: let go; our next call fails over to the next tier.
      db.onversionchange = () => db.close();
      const run: StepRunner = (step) =>
        new Promise((done, fail) => {
          // transaction() throws on a closed or broken connection: the executor makes that a rejection.
          const t = db.transaction('kv', 'readwrite');
          const s = t.objectStore('kv');
          // Events read ahead: a step reads events by ascending sequence number, so the first read of
          // an event fetches it and the next 99 with one `getAll`/`getAllKeys` pair instead of a
          // `get` each (issue 12's profile: 3.8 `get`s per event). `got` holds every record this
          // step has read or written (a key fetched but absent as `undefined`): it reads its own writes.
          const got = new Map<unknown, unknown>();
          // Where the last read-ahead ended. A read right there is a removal checking whether the
          // queue's new head is a hole: one `get`, not another 100 events the next flush reads again.
          let end = -1;
          const g = step((k, v) => (got.set(k, v), v === undefined ? s.delete(k) : s.put(v, k)));
          let r: IteratorResult<any, any>;
          // Each read's answer drives the step on, inside the request's callback: the transaction
          // stays active, and an exception there aborts it.
          const next = (v?: unknown): unknown => {
            r = g.next(v);
            const k = r.value;
            if (!r.done) {
              if (got.has(k)) return next(got.get(k));
              const range = typeof k == 'number' && k !== end && IDBKeyRange.bound(k, (end = k + 100) - 1);
              const q = range ? s.getAllKeys(range) : s.get(k);
              const all = range && s.getAll(range);
              // Requests of a transaction succeed in the order made: the keys are in when the values are.
              (all || q).onsuccess = () => {
                if (all) for (let i = k; i < end; i++) got.set(i, all.result[(q.result as number[]).indexOf(i)]);
                next(all ? got.get(k) : q.result);
              };
            }
          };
          t.oncomplete = () => done(r.value);
          // A failed request aborts the transaction unless handled, so `abort` sees every failure.
          t.onabort = () => fail(t.error || Error('idb: abort'));
          // A throw here (an uncloneable value) rejects this promise; it wrote nothing.
          next();
        });
      resolve(queueStorage(withLegacyQueue(run)));
    };
  });
