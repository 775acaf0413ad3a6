import type { Storage } from '@tally/core';

export type StorageTier = () => Storage | Promise<Storage>;

/**
 * A Storage that starts on the first tier and moves to the next one for good when a tier fails
 * to open or any of its calls rejects (quota, private mode, a browser bug mid-life), retrying the
 * failed call there. Events already written to an abandoned tier stay in it and are picked up on
 * a later page load, when that tier may work again. Only when the last tier fails does a call
 * reject, and core counts that.
 */
export function createFallbackStorage(
  tiers: StorageTier[],
  log?: (message: string, detail?: unknown) => void,
): Storage {
  let index = 0;
  let current: Promise<Storage> | undefined;

  const open = (): Promise<Storage> =>
    (current ??= (async () => {
      for (;;) {
        try {
          return await tiers[index]!();
        } catch (err) {
          log?.('storage tier ' + index + ' failed to open', err);
          if (index >= tiers.length - 1) throw err;
          index++;
        }
      }
    })());

  const call = async (method: keyof Storage, args: unknown[]): Promise<unknown> => {
    for (;;) {
      const storage = await open();
      const tier = index;
      try {
        return await (storage[method] as (...a: unknown[]) => Promise<unknown>)(...args);
      } catch (err) {
        log?.('storage tier ' + tier + ' failed in ' + method, err);
        if (tier >= tiers.length - 1) throw err;
        // Another call may have moved on already; only the first failure of a tier advances.
        if (index === tier) {
          index++;
          current = undefined;
        }
      }
    }
  };

  const methods: Array<keyof Storage> = ['enqueue', 'peek', 'remove', 'count', 'dropOldest', 'clear', 'get', 'set', 'delete'];
  const storage = {} as Record<keyof Storage, (...args: unknown[]) => Promise<unknown>>;
  for (const m of methods) storage[m] = (...args) => call(m, args);
  return storage as unknown as Storage;
}
