import { openDB } from 'idb';
import type { Storage } from '@tally/core';

const QUEUE = 'queue';
const KV = 'kv';

/**
 * IndexedDB storage: `queue` keyed by `event.event_id` with an index on `seq`, and a `kv` store.
 * Rejects if IndexedDB is missing or does not open within `openTimeoutMs` (some private modes
 * leave `open()` pending forever), so the fallback chain can take over.
 */
export async function openIdbStorage(name: string, openTimeoutMs = 3000): Promise<Storage> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const opening = openDB(name, 1, {
    upgrade(db) {
      db.createObjectStore(QUEUE, { keyPath: 'event.event_id' }).createIndex('seq', 'seq');
      db.createObjectStore(KV);
    },
  });
  const db = await Promise.race([
    opening,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new Error('IndexedDB open timed out'));
        // If it opens after all, release it so it does not block a future version upgrade.
        opening.then((late) => late.close(), () => {});
      }, openTimeoutMs);
    }),
  ]).finally(() => clearTimeout(timer));

  /** Runs requests in one readwrite transaction; resolves when it commits, rejects if it aborts. */
  const write = async <T>(store: string, fn: (s: ReturnType<typeof tx>['store']) => Promise<T>) => {
    const t = tx(store);
    // Promise.all observes every request so an aborting transaction never leaves an unhandled rejection.
    const [result] = await Promise.all([fn(t.store), t.done]);
    return result;
  };
  const tx = (store: string) => db.transaction(store, 'readwrite');

  return {
    enqueue: (events) => write(QUEUE, (s) => Promise.all(events.map((e) => s.put(e)))).then(() => {}),
    // getAll treats a count of 0 as "no limit".
    peek: async (limit) => (limit > 0 ? db.getAllFromIndex(QUEUE, 'seq', undefined, limit) : []),
    remove: (ids) => write(QUEUE, (s) => Promise.all(ids.map((id) => s.delete(id)))).then(() => {}),
    count: () => db.count(QUEUE),
    dropOldest: (n) =>
      write(QUEUE, async (s) => {
        let removed = 0;
        let cursor = n > 0 ? await s.index('seq').openCursor() : null;
        while (cursor && removed < n) {
          await cursor.delete();
          removed++;
          cursor = await cursor.continue();
        }
        return removed;
      }),
    clear: () => db.clear(QUEUE),
    get: async (key) => ((await db.get(KV, key)) as string | undefined) ?? null,
    set: (key, value) => db.put(KV, value, key).then(() => {}),
    delete: (key) => db.delete(KV, key),
  };
}
