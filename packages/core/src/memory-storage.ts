import { queueStorage, recordRunner, type RecordKey } from './queue-storage.js';
import type { Storage } from './types.js';

/** What a memory storage holds: each record by its key (events under their sequence numbers); tests look inside. */
export type MemoryState = Map<RecordKey, unknown>;

/**
 * Core's queue layout in a Map: the last tier of every chain, so delivery goes on (until the page
 * goes) when persistence fails. The Map answers synchronously, so a step never yields and is
 * atomic. Values are kept as they are, not copied (core never changes an object it stored).
 */
export const memoryStorage = (map: MemoryState = new Map()): Storage =>
  queueStorage(
    recordRunner(
      (k) => map.get(k),
      (k, v) => (v === undefined ? map.delete(k) : map.set(k, v)),
    ),
    true,
  );
