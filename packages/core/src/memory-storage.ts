import type { QueueCounters, Storage } from './types.js';
import type { WireEvent } from './wire.js';

/** What a memory storage holds; tests look inside. */
export interface MemoryState {
  small: Map<string, unknown>;
  q: Map<number, WireEvent>;
  seq: number;
  counters: QueueCounters;
}

/**
 * Everything in memory: the last tier of every chain, so delivery goes on (until the page goes)
 * when persistence fails. A Map keeps insertion order, which is queue order.
 */
export const memoryStorage = (
  m: MemoryState = { small: new Map(), q: new Map(), seq: 0, counters: { dropped: 0 } },
): Storage => {
  const { small, q } = m;
  // References, not copies: core never changes an object it handed to storage or read from it.
  return {
    get: async (key) => small.get(key),
    set: async (key, v) => void (v === undefined ? small.delete(key) : small.set(key, v)),
    append: async (events, max, recount) => {
      // Counted first: a recount that throws leaves everything as it was.
      m.counters = recount({ ...m.counters }, Math.max(0, q.size + events.length - max));
      for (const e of events) q.set(++m.seq, e);
      for (const k of q.keys()) {
        if (q.size <= max) break;
        q.delete(k);
      }
      return q.size;
    },
    head: async (n) => {
      const entries = [];
      for (const [key, event] of q) if (entries.push({ key, event }) >= n) break;
      return { entries: entries.slice(0, n), counters: { ...m.counters }, size: q.size };
    },
    remove: async (entries, recount) => {
      const gone = entries.filter((x) => q.get(x.key)?.event_id == x.event.event_id);
      m.counters = recount({ ...m.counters }, gone.length);
      for (const x of gone) q.delete(x.key);
      return q.size;
    },
    wipe: async () => {
      q.clear();
      m.counters = { dropped: 0 };
    },
  };
};
