import type { KeyValueBackend } from '@tally/core/kv';

/** `react-native-mmkv`: 2.x/3.x `new MMKV()` (`delete`) and 4.x `createMMKV()` (`remove`). Synchronous. */
export interface MMKVLike {
  getString(key: string): string | undefined;
  set(key: string, value: string): void;
  delete?(key: string): void;
  remove?(key: string): unknown;
}

/** `@react-native-async-storage/async-storage` 1.x and 2.x. */
export interface AsyncStorageLike {
  getItem(key: string): Promise<string | null>;
  setItem(key: string, value: string): Promise<void>;
  removeItem(key: string): Promise<void>;
}

/** `@react-native-async-storage/async-storage` 3.x (`getMany`/`setMany`/`removeMany`). */
export interface AsyncStorageV3Like {
  getMany(keys: string[]): Promise<Record<string, string | null>>;
  setMany(entries: Record<string, string>): Promise<void>;
  removeMany(keys: string[]): Promise<void>;
}

const fn = (o: unknown, name: string) => typeof (o as Record<string, unknown> | null)?.[name] == 'function';

export const isMMKV = (o: unknown): o is MMKVLike => fn(o, 'getString') && fn(o, 'set') && (fn(o, 'delete') || fn(o, 'remove'));
export const isAsyncStorageV3 = (o: unknown): o is AsyncStorageV3Like =>
  fn(o, 'getMany') && fn(o, 'setMany') && fn(o, 'removeMany');
export const isAsyncStorage = (o: unknown): o is AsyncStorageLike =>
  fn(o, 'getItem') && fn(o, 'setItem') && fn(o, 'removeItem');

/** MMKV as a synchronous string store: a write is on disk (mmap) when `set` returns. */
export const mmkvBackend = (m: MMKVLike): KeyValueBackend => ({
  sync: true,
  getItem: (k) => m.getString(k) ?? null,
  setItem: (k, v) => m.set(k, v),
  removeItem: (k) => (m.remove ? m.remove(k) : m.delete!(k)),
});

/**
 * AsyncStorage 3.x through its batch API: calls made in the same tick that do the same thing
 * (read, write, remove) become one `getMany`/`setMany`/`removeMany` — one native round trip,
 * one transaction — and batches run one after another in call order, so a removal after a write
 * of the same key is never overtaken by it.
 */
export const asyncStorageV3Backend = (a: AsyncStorageV3Like): KeyValueBackend => {
  type Kind = 'get' | 'set' | 'remove';
  interface Batch {
    kind: Kind;
    keys: string[];
    values: Record<string, string>;
    result?: Promise<Record<string, string | null> | void>;
  }
  let open: Batch | undefined;
  let chain: Promise<unknown> = Promise.resolve();
  const join = (kind: Kind, key: string, value?: string): Batch => {
    if (open?.kind != kind) {
      const b: Batch = (open = { kind, keys: [], values: {} });
      // One failed batch fails its own callers only; the next one still runs.
      b.result = chain.then((): Promise<Record<string, string | null> | void> => {
        if (open == b) open = undefined;
        return kind == 'get' ? a.getMany(b.keys) : kind == 'set' ? a.setMany(b.values) : a.removeMany(b.keys);
      });
      chain = b.result.catch(() => {});
    }
    if (kind == 'set') open.values[key] = value!;
    else open.keys.push(key);
    return open;
  };
  return {
    getItem: (k) => join('get', k).result!.then((r) => (r as Record<string, string | null>)[k] ?? null),
    setItem: (k, v) => join('set', k, v).result,
    removeItem: (k) => join('remove', k).result,
  };
};

/** The string store under any supported storage object, or undefined when `o` is none of them. */
export function backendOf(o: unknown): KeyValueBackend | undefined {
  if (isMMKV(o)) return mmkvBackend(o);
  // 3.x still has getItem/setItem too; its batch API is preferred.
  if (isAsyncStorageV3(o)) return asyncStorageV3Backend(o);
  if (isAsyncStorage(o)) return o;
  return undefined;
}
