import { memoryStorage, type MemoryState } from '../memory-storage.js';
import { KV_META, type RecordKey } from '../queue-storage.js';
import type { Storage } from '../types.js';
import type { WireEvent } from '../wire.js';

/** Copies, like IndexedDB's structured clone: a test sees a change core makes to an object it stored. */
const copy = <T>(v: T): T => (v === undefined ? v : JSON.parse(JSON.stringify(v)));

export type StorageMethod = keyof Storage;

export interface MemoryStorage extends Storage {
  /** Every small record by key (identity, opt-out); the queue's own records are left out. */
  readonly values: Map<string, unknown>;
  /** The queued events, oldest first (a copy). */
  readonly queue: WireEvent[];
  /** The stored drop count not yet reported to the collector. */
  readonly dropped: number;
  /** The stored id of the drop report, present while `dropped` is. */
  readonly reportId: string | undefined;
  /** Methods named here reject with an Error, as a full or broken storage would. */
  readonly failing: Set<StorageMethod>;
}

/** An in-memory `Storage` to test core and adapters against; shared by two clients it acts like two tabs. */
export function createMemoryStorage(): MemoryStorage {
  const map: MemoryState = new Map();
  const inner = memoryStorage(map);
  const failing = new Set<StorageMethod>();
  const parse = (k: RecordKey) => copy(map.get(k)) as any;
  const isEvent = (k: RecordKey) => typeof k == 'number';
  const meta = (): { dropped: number; reportId?: string } => (map.has(KV_META) ? parse(KV_META).c : { dropped: 0 });
  const s = {
    get values() {
      return new Map([...map.keys()].filter((k) => !isEvent(k) && k != KV_META).map((k) => [k, parse(k)]));
    },
    failing,
    get queue() {
      // Keys in sequence order: the Map keeps insertion order, and sequence numbers only grow.
      return [...map.keys()].filter(isEvent).map((k) => parse(k) as WireEvent);
    },
    get dropped() {
      return meta().dropped;
    },
    get reportId() {
      return meta().reportId;
    },
  } as MemoryStorage;
  for (const name of Object.keys(inner) as StorageMethod[])
    // Methods only: `sync` stays unset, so core batches a task's writes as it does for IndexedDB.
    if (typeof inner[name] == 'function')
      (s as any)[name] = async (...a: unknown[]) => {
      if (failing.has(name)) throw new Error(`storage.${name} failed`);
      return copy(await (inner[name] as (...x: unknown[]) => unknown)(...a.map((x) => (typeof x == 'function' ? x : copy(x)))));
    };
  return s;
}
