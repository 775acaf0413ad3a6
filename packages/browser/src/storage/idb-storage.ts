import type { Storage } from '@tally/core';

/*
 * Plain IndexedDB rather than the `idb` wrapper: idb's openDB costs ~1.4 KB gzipped, which the
 * script tag's 7 KB budget (core and web-vitals included) cannot afford. One helper does it all.
 */

/** Does its work on the store; may return how to read the result once the transaction has committed. */
type Op<T> = (store: IDBObjectStore) => (() => T) | void;

const result = <T>(req: IDBRequest<T>) => () => req.result;

/**
 * IndexedDB storage: store `queue` keyed by `event.event_id` with an index `seq`, and store `kv`.
 * Rejects if IndexedDB is missing, refuses, or does not open within `openTimeoutMs` (some private
 * modes leave `open()` pending forever), so the fallback chain can take over.
 */
export async function openIdbStorage(name: string, openTimeoutMs = 3000): Promise<Storage> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const req = indexedDB.open(name, 1);
    const timer = setTimeout(() => {
      reject(Error('idb: open timed out'));
      // If it opens after all, release it so it cannot block a later version upgrade.
      req.onsuccess = () => req.result.close();
    }, openTimeoutMs);
    req.onupgradeneeded = () => {
      req.result.createObjectStore('queue', { keyPath: 'event.event_id' }).createIndex('seq', 'seq');
      req.result.createObjectStore('kv');
    };
    req.onsuccess = () => (clearTimeout(timer), resolve(req.result));
    req.onerror = req.onblocked = () => (clearTimeout(timer), reject(req.error || Error('idb: blocked')));
  });
  // Another tab upgrading the schema: let go; our next call fails over to the next tier.
  db.onversionchange = () => db.close();

  /** Runs `op` in one transaction; resolves with its result once the transaction commits. */
  const tx = <T>(store: string, mode: IDBTransactionMode, op: Op<T>) =>
    new Promise<T>((resolve, reject) => {
      // transaction() throws on a closed or broken connection: the executor makes that a rejection.
      const t = db.transaction(store, mode);
      const done = op(t.objectStore(store));
      t.oncomplete = () => resolve(done ? done() : (undefined as T));
      t.onerror = t.onabort = () => reject(t.error || Error('idb: aborted'));
    });
  const write = <T>(op: Op<T>) => tx('queue', 'readwrite', op);
  const read = <T>(op: Op<T>) => tx('queue', 'readonly', op);
  const kv = <T>(op: Op<T>, mode: IDBTransactionMode = 'readwrite') => tx('kv', mode, op);

  // Counts of 0 are special-cased: getAll and getAllKeys treat 0 as "no limit".
  return {
    enqueue: (events) => write((s) => events.forEach((e) => s.put(e))),
    peek: async (limit) => (limit > 0 ? read((s) => result(s.index('seq').getAll(null, limit))) : []),
    // Counted in the same transaction, so an event dropped as overflow meanwhile is not counted twice.
    remove: (ids) =>
      write((s) => {
        const before = s.count();
        ids.forEach((id) => s.delete(id));
        const after = s.count();
        return () => before.result - after.result;
      }),
    count: () => read((s) => result(s.count())),
    // The seq index's first n primary keys are the oldest events.
    dropOldest: async (n) =>
      n > 0
        ? write((s) => {
            const keys = s.index('seq').getAllKeys(null, n);
            keys.onsuccess = () => keys.result.forEach((k) => s.delete(k));
            return () => keys.result.length;
          })
        : 0,
    clear: () => write((s) => void s.clear()),
    get: async (key) => ((await kv((s) => result(s.get(key)), 'readonly')) as string | undefined) ?? null,
    set: (key, value) => kv((s) => void s.put(value, key)),
    delete: (key) => kv((s) => void s.delete(key)),
  };
}
