import { describe, expect, it, vi } from 'vitest';
import { fallbackStorage, kvStorage, memoryStorage } from './storage.js';
import type { Storage } from './types.js';

const failing = (message: string): Storage => ({
  get: () => Promise.reject(new Error(message)),
  update: () => Promise.reject(new Error(message)),
});

describe('memoryStorage', () => {
  it('stores, replaces and deletes', async () => {
    const s = memoryStorage();
    await s.update('k', () => ({ a: 1 }));
    await s.update('k', (v) => ({ a: v.a + 1 }));
    expect(await s.get('k')).toEqual({ a: 2 });
    await s.update('k', () => undefined);
    expect(await s.get('k')).toBeUndefined();
  });
});

describe('kvStorage', () => {
  it('keeps JSON text under prefixed keys of a sync or async backend', async () => {
    const map = new Map<string, string>();
    const sync = { getItem: (k: string) => map.get(k) ?? null, setItem: (k: string, v: string) => map.set(k, v), removeItem: (k: string) => map.delete(k) };
    const async = { getItem: async (k: string) => sync.getItem(k), setItem: async (k: string, v: string) => sync.setItem(k, v), removeItem: async (k: string) => sync.removeItem(k) };
    await kvStorage(sync, 'p:').update('k', () => ({ q: [1] }));
    expect(map.get('p:k')).toBe('{"q":[1]}');
    expect(await kvStorage(async, 'p:').get('k')).toEqual({ q: [1] });
    await kvStorage(async, 'p:').update('k', () => undefined);
    expect(map.size).toBe(0);
    expect(await kvStorage(sync, 'p:').get('k')).toBeUndefined();
  });
});

describe('fallbackStorage', () => {
  it('moves to the next tier for good when a tier fails to open or a call rejects, retrying the call there', async () => {
    const log = vi.fn();
    const second = memoryStorage();
    const open = vi.fn(() => second);
    const s = fallbackStorage(
      [
        () => {
          throw new Error('first');
        },
        open,
      ],
      log,
    );
    await s.update('k', () => 1);
    expect(await s.get('k')).toBe(1);
    expect(open).toHaveBeenCalledOnce();
    expect(log).toHaveBeenCalledWith('storage 0 failed', expect.any(Error));
  });

  it('advances once when concurrent calls fail together', async () => {
    const third = vi.fn(memoryStorage);
    const s = fallbackStorage([() => failing('a'), memoryStorage, third]);
    await Promise.all([s.update('x', () => 1), s.update('y', () => 2), s.get('x')]);
    expect(third).not.toHaveBeenCalled();
    expect([await s.get('x'), await s.get('y')]).toEqual([1, 2]);
  });

  it('rejects only when the last tier fails', async () => {
    const s = fallbackStorage([() => failing('first'), () => failing('last')]);
    await expect(s.get('k')).rejects.toThrow('last');
  });
});
