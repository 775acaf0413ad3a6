// @vitest-environment happy-dom
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LockRunner } from '@tally/core';
import { createBrowserStorage } from './browser-storage.js';
import { openIdbStorage } from './idb-storage.js';

let n = 0;
const fresh = () => 'fb-' + ++n;
const inLocalStorage = (name: string, key: string) => JSON.parse(localStorage.getItem(name + ':' + key) ?? 'null');

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
  localStorage.clear();
});

describe('browser storage fallback chain', () => {
  it('uses IndexedDB when it works, and writes nothing to localStorage', async () => {
    const name = fresh();
    const s = createBrowserStorage(name);
    await s.set('k', [1]);
    expect(await (await openIdbStorage(name)).get('k')).toEqual([1]);
    expect(inLocalStorage(name, 'k')).toBeNull();
  });

  it('falls back to localStorage when IndexedDB is missing', async () => {
    vi.stubGlobal('indexedDB', undefined);
    const name = fresh();
    const s = createBrowserStorage(name);
    await s.set('k', { q: [1, 2] });
    expect(inLocalStorage(name, 'k')).toEqual({ q: [1, 2] });
    expect(await s.get('k')).toEqual({ q: [1, 2] });
  });

  it('falls back when indexedDB.open throws', async () => {
    vi.spyOn(indexedDB, 'open').mockImplementation(() => {
      throw new DOMException('The operation is insecure.', 'SecurityError');
    });
    const name = fresh();
    await createBrowserStorage(name).set('id', 'a1');
    expect(inLocalStorage(name, 'id')).toBe('a1');
  });

  it('falls back when the open request fails (a newer database version exists)', async () => {
    const name = fresh();
    await new Promise<void>((resolve, reject) => {
      const req = indexedDB.open(name, 5);
      req.onsuccess = () => (req.result.close(), resolve());
      req.onerror = () => reject(req.error);
    });
    await expect(openIdbStorage(name)).rejects.toThrow();
    await createBrowserStorage(name).set('k', 7);
    expect(inLocalStorage(name, 'k')).toBe(7);
  });

  it('falls back when open never completes', async () => {
    // A request that never fires success or error, like some private modes.
    vi.spyOn(indexedDB, 'open').mockImplementation(
      () => new (IDBOpenDBRequest as unknown as new () => IDBOpenDBRequest)(),
    );
    await expect(openIdbStorage(fresh(), 20)).rejects.toThrow('timed out');
  });

  it('moves on when IndexedDB starts throwing mid-life, and retries the failed call there', async () => {
    const name = fresh();
    const log = vi.fn();
    const s = createBrowserStorage(name, log);
    await s.set('a', 1);
    expect(await s.get('a')).toBe(1);
    vi.spyOn(IDBDatabase.prototype, 'transaction').mockImplementation(() => {
      throw new DOMException('quota', 'QuotaExceededError');
    });
    await s.set('b', 2);
    expect(inLocalStorage(name, 'b')).toBe(2);
    // From now on this page uses localStorage; what IndexedDB holds waits for a later start.
    expect(await s.get('a')).toBeUndefined();
    expect(log).toHaveBeenCalledWith('storage 0 failed', expect.any(DOMException));
  });

  it('moves on when a transaction aborts asynchronously, having written nothing', async () => {
    const name = fresh();
    const s = createBrowserStorage(name);
    await s.get('x');
    const real = IDBDatabase.prototype.transaction;
    vi.spyOn(IDBDatabase.prototype, 'transaction').mockImplementation(function (this: IDBDatabase, ...args) {
      const tx = real.apply(this, args as Parameters<typeof real>);
      queueMicrotask(() => tx.abort());
      return tx;
    });
    await s.set('k', 3);
    expect(inLocalStorage(name, 'k')).toBe(3);
    vi.restoreAllMocks();
    expect(await (await openIdbStorage(name)).get('k')).toBeUndefined();
  });

  it('rejects when localStorage fails too, so that core moves to memory', async () => {
    vi.stubGlobal('indexedDB', undefined);
    const full = () => {
      throw new DOMException('full', 'QuotaExceededError');
    };
    vi.stubGlobal('localStorage', { getItem: () => null, setItem: full, removeItem: () => {} });
    const log = vi.fn();
    await expect(createBrowserStorage(fresh(), log).set('k', 1)).rejects.toThrow('full');
    expect(log.mock.calls.map((c) => c[0])).toEqual(['storage 0 failed', 'storage 1 failed']);
  });

  it('moves SDK 0.1\'s localStorage queue under the upgrade lock, once, before any other step', async () => {
    vi.stubGlobal('indexedDB', undefined);
    const name = fresh();
    const ev = (i: number) => ({ event_id: 'e' + i, event_type: 'x', ts: 't', anonymous_id: 'a', session_id: 's' });
    localStorage.setItem(name + ':tally.q', JSON.stringify({ q: [ev(0), ev(1)], d: 0 }));
    const held: string[] = [];
    const lock: LockRunner = async (lockName, fn) => {
      held.push(lockName);
      // While the lock is held the old value is still there; by its release it is moved.
      expect(localStorage.getItem(name + ':tally.q')).not.toBeNull();
      const r = await fn();
      expect(localStorage.getItem(name + ':tally.q')).toBeNull();
      return r;
    };
    const s = createBrowserStorage(name, undefined, lock);
    expect((await s.head(10)).entries.map((x) => x.event.event_id)).toEqual(['e0', 'e1']);
    expect(held).toEqual(['tally-upgrade']);
    // Without an old value there is nothing to wait for: no lock.
    await createBrowserStorage(name, undefined, lock).get('x');
    expect(held).toEqual(['tally-upgrade']);
  });
});
