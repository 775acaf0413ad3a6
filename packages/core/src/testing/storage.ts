import type { QueuedEvent, Storage } from '../types.js';

/** Stored as copies, like IndexedDB's structured clone: later mutations must not leak in or out. */
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

export type StorageMethod = keyof Storage;

export interface MemoryStorage extends Storage {
  /** The queue, oldest first. */
  readonly queue: QueuedEvent[];
  readonly values: Map<string, string>;
  /** Methods named here reject with an Error, as a full or broken storage would. */
  readonly failing: Set<StorageMethod>;
}

/** An in-memory `Storage` to test core and adapters against; shared by two clients it acts like two tabs. */
export function createMemoryStorage(): MemoryStorage {
  let queue: QueuedEvent[] = [];
  const values = new Map<string, string>();
  const failing = new Set<StorageMethod>();
  const op =
    <A extends unknown[], R>(name: StorageMethod, fn: (...a: A) => R) =>
    async (...a: A): Promise<R> => {
      if (failing.has(name)) throw new Error(`storage.${name} failed`);
      return fn(...a);
    };
  return {
    get queue() {
      return queue;
    },
    values,
    failing,
    enqueue: op('enqueue', (events: QueuedEvent[]) => {
      queue = [...queue, ...clone(events)].sort((a, b) => a.seq - b.seq);
    }),
    peek: op('peek', (limit: number) => clone(queue.slice(0, limit))),
    remove: op('remove', (ids: string[]) => {
      const before = queue.length;
      queue = queue.filter((q) => !ids.includes(q.event.event_id!));
      return before - queue.length;
    }),
    count: op('count', () => queue.length),
    dropOldest: op('dropOldest', (n: number) => {
      const k = Math.min(n, queue.length);
      queue = queue.slice(k);
      return k;
    }),
    clear: op('clear', () => {
      queue = [];
    }),
    get: op('get', (key: string) => values.get(key) ?? null),
    set: op('set', (key: string, value: string) => void values.set(key, value)),
    delete: op('delete', (key: string) => void values.delete(key)),
  };
}
