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

/**
 * The queue as one JSON array under `${prefix}:q`, sorted by seq and re-read on every call because
 * other tabs write the same key; small values under `${prefix}:k:${key}`. Only a fallback tier:
 * O(queue) per call is acceptable at ≤ 1000 events. Calls reject, never throw, so the fallback
 * chain can move on.
 */
export function kvQueueStorage(b: KeyValueBackend, prefix: string): Storage {
  const qKey = prefix + ':q';
  const kKey = (k: string) => prefix + ':k:' + k;
  const read = (): QueuedEvent[] => JSON.parse(b.getItem(qKey) || '[]');
  /** Applies `fn` to the stored queue and writes back what it returns as the new queue. */
  const edit = <R>(fn: (q: QueuedEvent[]) => [QueuedEvent[], R]) =>
    run(() => {
      const [q, result] = fn(read());
      q.length ? b.setItem(qKey, JSON.stringify(q)) : b.removeItem(qKey);
      return result;
    });
  const run = <T>(fn: () => T) => new Promise<T>((resolve) => resolve(fn()));
  const without = (q: QueuedEvent[], ids: Array<string | undefined>) => q.filter((e) => !ids.includes(e.event.event_id));

  return {
    // Keyed by event_id like the IndexedDB store: re-enqueueing an event replaces it.
    enqueue: (events) =>
      edit((q) => [without(q, events.map((e) => e.event.event_id)).concat(events).sort((x, y) => x.seq - y.seq), undefined]),
    peek: (limit) => run(() => read().slice(0, Math.max(0, limit))),
    remove: (ids) => edit((q) => {
      const rest = without(q, ids);
      return [rest, q.length - rest.length];
    }),
    count: () => run(() => read().length),
    dropOldest: (n) => edit((q) => [q.slice(Math.max(0, n)), Math.min(Math.max(0, n), q.length)]),
    clear: () => run(() => b.removeItem(qKey)),
    get: (k) => run(() => b.getItem(kKey(k))),
    set: (k, v) => run(() => b.setItem(kKey(k), v)),
    delete: (k) => run(() => b.removeItem(kKey(k))),
  };
}
