// @vitest-environment happy-dom
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { QueuedEvent, Storage } from '@tally/core';
import { createBrowserStorage } from './browser-storage.js';
import { createFallbackStorage } from './fallback-storage.js';
import { openIdbStorage } from './idb-storage.js';
import { kvQueueStorage, memoryBackend } from './kv-queue-storage.js';

let n = 0;
const fresh = () => 'fb-' + ++n;
const ev = (seq: number): QueuedEvent => ({
  seq,
  event: { event_id: 'e' + seq, event_type: 'action', ts: '2026-11-22T10:00:00.000Z' },
});
const lsQueue = (name: string) => JSON.parse(localStorage.getItem(name + ':q') ?? '[]') as QueuedEvent[];

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
  localStorage.clear();
});

describe('browser storage fallback chain', () => {
  it('uses IndexedDB when it works, and writes nothing to localStorage', async () => {
    const name = fresh();
    const s = createBrowserStorage(name);
    await s.enqueue([ev(1)]);
    expect(await (await openIdbStorage(name)).count()).toBe(1);
    expect(lsQueue(name)).toEqual([]);
  });

  it('falls back to localStorage when IndexedDB is missing', async () => {
    vi.stubGlobal('indexedDB', undefined);
    const name = fresh();
    const s = createBrowserStorage(name);
    await s.enqueue([ev(1), ev(2)]);
    expect(lsQueue(name).map((e) => e.seq)).toEqual([1, 2]);
    expect(await s.count()).toBe(2);
  });

  it('falls back when indexedDB.open throws', async () => {
    vi.spyOn(indexedDB, 'open').mockImplementation(() => {
      throw new DOMException('The operation is insecure.', 'SecurityError');
    });
    const name = fresh();
    const s = createBrowserStorage(name);
    await s.set('anonymous_id', 'a1');
    expect(localStorage.getItem(name + ':k:anonymous_id')).toBe('a1');
  });

  it('falls back when the open request fails (a newer database version exists)', async () => {
    const name = fresh();
    await new Promise<void>((resolve, reject) => {
      const req = indexedDB.open(name, 5);
      req.onsuccess = () => (req.result.close(), resolve());
      req.onerror = () => reject(req.error);
    });
    await expect(openIdbStorage(name)).rejects.toThrow();
    const s = createBrowserStorage(name);
    await s.enqueue([ev(7)]);
    expect(lsQueue(name).map((e) => e.seq)).toEqual([7]);
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
    await s.enqueue([ev(1)]);
    expect(await s.count()).toBe(1);
    vi.spyOn(IDBDatabase.prototype, 'transaction').mockImplementation(() => {
      throw new DOMException('quota', 'QuotaExceededError');
    });
    await s.enqueue([ev(2)]);
    expect(lsQueue(name).map((e) => e.seq)).toEqual([2]);
    expect(await s.count()).toBe(1);
    expect(log).toHaveBeenCalledWith('storage tier 0 failed in enqueue', expect.any(DOMException));
  });

  it('moves on when a transaction aborts asynchronously', async () => {
    const name = fresh();
    const s = createBrowserStorage(name);
    await s.count();
    const real = IDBDatabase.prototype.transaction;
    vi.spyOn(IDBDatabase.prototype, 'transaction').mockImplementation(function (this: IDBDatabase, ...args) {
      const tx = real.apply(this, args as Parameters<typeof real>);
      queueMicrotask(() => tx.abort());
      return tx;
    });
    await s.enqueue([ev(3)]);
    expect(lsQueue(name).map((e) => e.seq)).toEqual([3]);
  });

  it('ends in memory when localStorage throws too, and the host page sees no exception', async () => {
    vi.stubGlobal('indexedDB', undefined);
    vi.spyOn(Object.getPrototypeOf(localStorage), 'setItem').mockImplementation(() => {
      throw new DOMException('full', 'QuotaExceededError');
    });
    const s = createBrowserStorage(fresh());
    await s.enqueue([ev(1), ev(2)]);
    await s.set('k', 'v');
    expect(await s.count()).toBe(2);
    expect(await s.get('k')).toBe('v');
    expect(await s.dropOldest(1)).toBe(1);
    expect((await s.peek(5)).map((e) => e.seq)).toEqual([2]);
  });

  it('rejects only when the last tier fails', async () => {
    const broken: Storage = { ...kvQueueStorage(memoryBackend(), 'x'), count: () => Promise.reject(new Error('last')) };
    const s = createFallbackStorage([
      () => {
        throw new Error('first');
      },
      () => broken,
    ]);
    await expect(s.count()).rejects.toThrow('last');
    await s.enqueue([ev(1)]);
    expect((await s.peek(1)).length).toBe(1);
  });
});
