import type { Storage } from './types.js';

/** Opens one storage of a fallback chain; may throw or reject (IndexedDB missing, private mode). */
export type StorageTier = () => Storage | Promise<Storage>;

/** The part of Web Storage and React Native's AsyncStorage that `kvStorage` needs; either may be sync or async. */
export interface KeyValueBackend {
  getItem(key: string): string | null | Promise<string | null>;
  setItem(key: string, value: string): unknown;
  removeItem(key: string): unknown;
}

/** A Map in memory: the last tier of every chain, so delivery goes on (until the page goes) when persistence fails. */
export const memoryStorage = (map = new Map<string, unknown>()): Storage => ({
  get: async (key) => map.get(key),
  update: async (key, next) => {
    const v = next(map.get(key));
    v === undefined ? map.delete(key) : map.set(key, v);
  },
});

/**
 * Values as JSON text under `${prefix}${key}` in a string key–value store (localStorage,
 * AsyncStorage). With a synchronous backend `update` is atomic (localStorage: across tabs too); with
 * an asynchronous one only core's own ordering of its writes (one queue, one serial line) holds.
 */
export const kvStorage = (b: KeyValueBackend, prefix: string): Storage => {
  const parse = (text: string | null) => JSON.parse(text || 'null') ?? undefined;
  return {
    get: async (key) => parse(await b.getItem(prefix + key)),
    update: async (key, next) => {
      let text = b.getItem(prefix + key);
      // Read and write in one synchronous step when the backend allows it: an `await` between
      // them would let another update (this page's or, for localStorage, another tab's) slip in.
      if (typeof text == 'object' && text) text = await text;
      const v = next(parse(text as string | null));
      v === undefined ? b.removeItem(prefix + key) : b.setItem(prefix + key, JSON.stringify(v));
    },
  };
};

/**
 * A Storage that starts on the first tier and moves to the next one for good when a tier fails to
 * open or any call on it rejects, retrying that call there. What an abandoned tier holds stays in it
 * and is delivered on a later start, when the tier may work again. Only a failure of the last tier
 * reaches the caller.
 */
export const fallbackStorage = (tiers: StorageTier[], log?: (message: string, detail?: unknown) => void): Storage => {
  let index = 0;
  let current: Promise<Storage> | undefined;
  const call =
    (method: keyof Storage) =>
    async (...args: [string, any?]): Promise<any> => {
      for (;;) {
        const tier = index;
        try {
          // Opening happens once per tier; a failed open fails this call and moves on like any other.
          const s = await (current ||= new Promise<Storage>((resolve) => resolve(tiers[tier]!())));
          return await (s[method] as (...a: unknown[]) => Promise<unknown>)(...args);
        } catch (e) {
          log?.('storage ' + tier + ' failed', e);
          if (tier >= tiers.length - 1) throw e;
          // Concurrent calls fail together; only the first failure of a tier advances.
          if (index == tier) {
            index++;
            current = undefined;
          }
        }
      }
    };
  return { get: call('get'), update: call('update') };
};
