import type { Storage } from './types.js';

/** Opens one storage of a fallback chain; may throw or reject (IndexedDB missing, private mode). */
export type StorageTier = () => Storage | Promise<Storage>;

/**
 * A Storage that starts on the first tier and moves to the next one for good when a tier fails to
 * open or any call on it rejects, retrying that call there. What an abandoned tier holds stays in it
 * and is delivered on a later start, when the tier may work again. Only a failure of the last tier
 * reaches the caller.
 */
export const fallbackStorage = (tiers: StorageTier[], log?: (message: string, detail?: unknown) => void): Storage => {
  let index = 0;
  let current: Storage | Promise<Storage> | undefined;
  // Every method is forwarded by name, so the chain needs no list of them.
  const call =
    (method: keyof Storage) =>
    async (...args: unknown[]): Promise<any> => {
      for (;;) {
        const tier = index;
        try {
          // Opening happens once per tier; a failed open fails this call and moves on like any other.
          // An opened synchronous tier is called at once, not a microtask later: with MMKV the
          // write is done when the caller's call returns.
          let s = (current ||= tiers[tier]!());
          if ('then' in s) s = await s;
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
  // Not a thenable: a Storage may be returned from an async function or awaited.
  return new Proxy({} as Storage, { get: (_, method) => method != 'then' && call(method as keyof Storage) });
};
