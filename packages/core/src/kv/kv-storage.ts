import type { Storage } from '../types.js';
import { queueStorage, type Put, type RecordKey, type StepRunner } from '../queue-storage.js';
import { createSerial } from '../serial.js';

/** The part of Web Storage, MMKV and React Native's AsyncStorage that `kvStorage` needs; sync or async. */
export interface KeyValueBackend {
  getItem(key: string): string | null | undefined | Promise<string | null | undefined>;
  setItem(key: string, value: string): unknown;
  removeItem(key: string): unknown;
  /** Every call has taken effect when it returns (MMKV, localStorage, a Map): see `Storage.sync`. */
  sync?: boolean;
}

/** Events are under `${prefix}tally.e<seq>`. */
export const KV_EVENT = 'tally.e';

/**
 * The whole Storage contract over a string key–value store (localStorage, MMKV, AsyncStorage): one
 * key per event (`${prefix}tally.e<seq>`, JSON), the meta record `${prefix}tally.c`, small records
 * as JSON under `${prefix}${key}`. Never one big value.
 *
 * With a synchronous backend a step runs start to end without yielding (localStorage: atomic
 * against this page and, as far as localStorage allows, other tabs), and a `setItem` that throws
 * (quota) has its step take back what it wrote. With an asynchronous backend (AsyncStorage) steps
 * are ordered by core's serial line and the backend's own write order; a step awaits its writes.
 */
export const kvStorage = (b: KeyValueBackend, prefix: string): Storage => queueStorage(kvRunner(b, prefix), b.sync);

/**
 * The step runner under `kvStorage`, for an adapter that wraps it (`withLegacyQueue`). Steps over
 * an asynchronous backend wait for each other (they would interleave at every read); a
 * synchronous backend runs each one whole, at once.
 */
export const kvRunner = (b: KeyValueBackend, prefix: string): StepRunner => {
  const line = createSerial();
  const run: StepRunner = async (step) => {
    const name = (k: RecordKey) => prefix + (typeof k == 'number' ? KV_EVENT + k : k);
    const writes: unknown[] = [];
    const put: Put = (k, v) =>
      writes.push(v === undefined ? b.removeItem(name(k)) : b.setItem(name(k), JSON.stringify(v)));
    const g = step(put);
    let r = g.next();
    while (!r.done) {
      let text: any = b.getItem(name(r.value));
      // Awaits only for an asynchronous backend: a synchronous one runs the whole step in one go.
      if (text?.then) text = await text;
      r = g.next(text ? JSON.parse(text) : undefined);
    }
    await Promise.all(writes);
    return r.value;
  };
  return b.sync ? run : (step) => line(() => run(step));
};
