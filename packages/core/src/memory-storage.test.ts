import { describe, it } from 'vitest';
import { memoryStorage, type MemoryState } from './memory-storage.js';
import { storageContract } from './testing/contract.js';

describe('memoryStorage honours the Storage contract', () => {
  // Handles opened under one name share their Map, like two tabs on one database.
  const maps = new Map<string, MemoryState>();
  const open = (name: string) => {
    if (!maps.has(name)) maps.set(name, new Map());
    return memoryStorage(maps.get(name));
  };
  for (const [name, check] of Object.entries(storageContract(open))) it(name, check);
});
