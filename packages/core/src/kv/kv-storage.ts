import type { Storage } from '../types.js';
import { queueStorage, recordRunner, type RecordKey, type StepRunner } from '../queue-storage.js';
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
  const name = (k: RecordKey) => prefix + (typeof k == 'number' ? KV_EVENT + k : k);
  const parse = (text: unknown) => (text ? JSON.parse(text as string) : undefined);
  const run = recordRunner(
    (k) => {
      const text: any = b.getItem(name(k));
      return text?.then ? text.then(parse) : parse(text);
    },
    (k, v) => (v === undefined ? b.removeItem(name(k)) : b.setItem(name(k), JSON.stringify(v))),
  );
  const line = createSerial();
  return b.sync ? run : (step) => line(() => run(step));
};
