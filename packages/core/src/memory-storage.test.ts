import { describe, it } from 'vitest';
import { memoryStorage, type MemoryState } from './memory-storage.js';
import { storageContract } from './testing/contract.js';

describe('memoryStorage honours the Storage contract', () => {
  // Handles opened under one name share their state, like two tabs on one database.
  const states = new Map<string, MemoryState>();
  const open = (name: string) => {
    if (!states.has(name)) states.set(name, { small: new Map(), q: new Map(), seq: 0, counters: { dropped: 0 } } as MemoryState);
    return memoryStorage(states.get(name));
  };
  for (const [name, check] of Object.entries(storageContract(open))) it(name, check);
});
