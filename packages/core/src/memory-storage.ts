import { kvStorage } from './kv/kv-storage.js';
import type { Storage } from './types.js';

/** What a memory storage holds: JSON text by key; tests look inside. */
export type MemoryState = Map<string, string>;

/**
 * Core's queue layout in a Map, through the same code as localStorage: the last tier of every
 * chain, so delivery goes on (until the page goes) when persistence fails. The Map answers
 * synchronously, so a step never yields and is atomic.
 */
export const memoryStorage = (map: MemoryState = new Map()): Storage =>
  kvStorage(
    {
      getItem: (k) => map.get(k),
      setItem: (k, v) => map.set(k, v),
      removeItem: (k) => map.delete(k),
      sync: true,
    },
    '',
  );
