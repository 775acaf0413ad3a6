import { memoryStorage, type Storage } from '@tally/core';
import { kvStorage } from '@tally/core/kv';
import { optional } from '../optional.js';
import { backendOf } from './backends.js';

/** An object that already implements core's storage contract (checked by its methods). */
const isQueueStorage = (o: unknown): o is Storage =>
  !!o && typeof (o as Storage).get == 'function' && !backendOf(o);

let warned = false;

/**
 * The storage for `options.storage`: an MMKV instance, the AsyncStorage object (1.x/2.x or 3.x),
 * or any implementation of core's contract. Without one: MMKV if `react-native-mmkv` can be
 * required, else AsyncStorage, else memory with a one-time warning. Events and the few small
 * records live under `${prefix}` keys, one key per event.
 */
export function resolveStorage(storage: unknown, prefix: string, warn?: (m: string) => void): Storage {
  if (storage !== undefined) {
    if (isQueueStorage(storage)) return storage;
    const backend = backendOf(storage);
    if (!backend)
      throw new TypeError(
        'tally: options.storage must be an MMKV instance, the AsyncStorage object or a Storage implementation',
      );
    return kvStorage(backend, prefix);
  }
  const found = backendOf(detectStorage());
  if (found) return kvStorage(found, prefix);
  if (!warned) {
    warned = true;
    (warn ?? console.warn)('[tally] neither react-native-mmkv nor @react-native-async-storage/async-storage is installed: events are kept in memory only and lost when the app is killed');
  }
  return memoryStorage();
}

/** The first installed storage module's instance. Literal requires inside try: Metro bundles them as optional dependencies. */
export function detectStorage(): unknown {
  const mmkv = optional(() => {
    const m = require('react-native-mmkv');
    // 4.x: createMMKV(); 2.x/3.x: new MMKV().
    return m.createMMKV ? m.createMMKV({ id: 'tally' }) : new m.MMKV({ id: 'tally' });
  });
  if (mmkv) return mmkv;
  return optional(() => {
    const m = require('@react-native-async-storage/async-storage');
    return m.default ?? m;
  });
}
