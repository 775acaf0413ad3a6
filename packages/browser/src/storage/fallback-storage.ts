import type { Storage } from '@tally/core';

export type StorageTier = () => Storage | Promise<Storage>;

const METHODS = ['enqueue', 'peek', 'remove', 'count', 'dropOldest', 'clear', 'get', 'set', 'delete'] as const;

/**
 * A Storage that starts on the first tier and moves to the next one for good when a tier fails
 * to open or any of its calls rejects (quota, private mode, a browser bug mid-life), retrying the
 * failed call there. Events already written to an abandoned tier stay in it and are picked up on
 * a later page load, when that tier may work again. Only when the last tier fails does a call
 * reject, and core counts that.
 */
export function createFallbackStorage(tiers: StorageTier[], log?: (message: string, detail?: unknown) => void): Storage {
  let index = 0;
  let current: Promise<Storage> | undefined;
  const storage = {} as Record<string, (...args: unknown[]) => Promise<unknown>>;
  for (const method of METHODS) {
    storage[method] = async (...args) => {
      for (;;) {
        const tier = index;
        try {
          // Opening happens once per tier; a failed open fails this call and moves on like any other.
          const s = await (current ??= new Promise<Storage>((resolve) => resolve(tiers[tier]!())));
          return await (s[method] as (...a: unknown[]) => Promise<unknown>)(...args);
        } catch (err) {
          log?.('storage tier ' + tier + ' failed in ' + method, err);
          if (tier >= tiers.length - 1) throw err;
          // Concurrent calls fail together; only the first failure of a tier advances.
          if (index == tier) {
            index++;
            current = undefined;
          }
        }
      }
    };
  }
  return storage as unknown as Storage;
}
