import type { QueuedEvent, Storage } from '@tally/core';

/** The subset of the Web Storage API the fallback tiers need; `localStorage` satisfies it. */
export interface KeyValueBackend {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export function memoryBackend(): KeyValueBackend {
  const map = new Map<string, string>();
  return {
    getItem: (k) => map.get(k) ?? null,
    setItem: (k, v) => void map.set(k, v),
    removeItem: (k) => void map.delete(k),
  };
}

const bySeq = (a: QueuedEvent, b: QueuedEvent) => a.seq - b.seq;

/**
 * The queue as one JSON array under `${prefix}:q`, re-read on every call because other tabs
 * write the same key. Only a fallback tier: O(queue) per call is acceptable at ≤ 1000 events.
 * Every call returns a promise that rejects (never throws) so the fallback chain can move on.
 */
export function kvQueueStorage(backend: KeyValueBackend, prefix: string): Storage {
  const queueKey = prefix + ':q';
  const kvKey = (k: string) => prefix + ':k:' + k;
  const run = <T>(fn: () => T) => new Promise<T>((resolve) => resolve(fn()));
  const read = (): QueuedEvent[] => JSON.parse(backend.getItem(queueKey) || '[]') as QueuedEvent[];
  const write = (q: QueuedEvent[]) =>
    q.length ? backend.setItem(queueKey, JSON.stringify(q)) : backend.removeItem(queueKey);

  return {
    enqueue: (events) =>
      run(() => {
        // Keyed by event_id like the IndexedDB store: re-enqueueing an event replaces it.
        const byId = new Map(read().map((e) => [e.event.event_id, e]));
        for (const e of events) byId.set(e.event.event_id, e);
        write([...byId.values()].sort(bySeq));
      }),
    peek: (limit) => run(() => read().slice(0, Math.max(0, limit))),
    remove: (ids) =>
      run(() => {
        const gone = new Set(ids);
        write(read().filter((e) => !gone.has(e.event.event_id as string)));
      }),
    count: () => run(() => read().length),
    dropOldest: (n) =>
      run(() => {
        const q = read();
        const k = Math.min(Math.max(0, n), q.length);
        write(q.slice(k));
        return k;
      }),
    clear: () => run(() => backend.removeItem(queueKey)),
    get: (k) => run(() => backend.getItem(kvKey(k))),
    set: (k, v) => run(() => backend.setItem(kvKey(k), v)),
    delete: (k) => run(() => backend.removeItem(kvKey(k))),
  };
}
