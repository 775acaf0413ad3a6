import { KEY_QUEUE, type StoredQueue } from '../queue.js';
import type { Storage } from '../types.js';
import type { WireEvent } from '../wire.js';

/** Stored as copies, like IndexedDB's structured clone: later mutations must not leak in or out. */
const clone = <T>(v: T): T => (v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T));

export type StorageMethod = keyof Storage;

export interface MemoryStorage extends Storage {
  /** Every stored value by key (copies). */
  readonly values: Map<string, unknown>;
  /** The queued events, oldest first (a copy). */
  readonly queue: WireEvent[];
  /** The stored drop count not yet reported to the collector. */
  readonly dropped: number;
  /** Methods named here reject with an Error, as a full or broken storage would. */
  readonly failing: Set<StorageMethod>;
}

/** An in-memory `Storage` to test core and adapters against; shared by two clients it acts like two tabs. */
export function createMemoryStorage(): MemoryStorage {
  const values = new Map<string, unknown>();
  const failing = new Set<StorageMethod>();
  const check = (name: StorageMethod) => {
    if (failing.has(name)) throw new Error(`storage.${name} failed`);
  };
  const stored = () => (values.get(KEY_QUEUE) as StoredQueue | undefined) ?? { q: [], d: 0 };
  return {
    values,
    failing,
    get queue() {
      return clone(stored().q);
    },
    get dropped() {
      return stored().d;
    },
    get: async (key) => {
      check('get');
      return clone(values.get(key));
    },
    update: async (key, next) => {
      check('update');
      const v = clone(next(clone(values.get(key))));
      v === undefined ? values.delete(key) : values.set(key, v);
    },
  };
}
