import { memoryStorage, type MemoryState } from '../memory-storage.js';
import type { Storage } from '../types.js';
import type { WireEvent } from '../wire.js';

/** Copies, like IndexedDB's structured clone: a test sees a change core makes to an object it stored. */
const copy = <T>(v: T): T => (v === undefined ? v : JSON.parse(JSON.stringify(v)));

export type StorageMethod = keyof Storage;

export interface MemoryStorage extends Storage {
  /** Every small record by key (identity, opt-out). */
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
  const state = { small: new Map(), q: new Map(), seq: 0, counters: { dropped: 0 } } as MemoryState;
  const inner = memoryStorage(state);
  const failing = new Set<StorageMethod>();
  const s = {
    values: state.small,
    failing,
    get queue() {
      return copy([...state.q.values()]);
    },
    get dropped() {
      return state.counters.dropped;
    },
    get reportId() {
      return state.counters.reportId;
    },
  } as MemoryStorage;
  for (const name of Object.keys(inner) as StorageMethod[])
    (s as any)[name] = async (...a: unknown[]) => {
      if (failing.has(name)) throw new Error(`storage.${name} failed`);
      return copy(await (inner[name] as (...x: unknown[]) => unknown)(...a.map((x) => (typeof x == 'function' ? x : copy(x)))));
    };
  return s;
}
