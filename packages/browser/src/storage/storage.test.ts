// @vitest-environment happy-dom
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { kvStorage } from '@tally/core/kv';
import { storageContract } from '@tally/core/testing';
import { openIdbStorage } from './idb-storage.js';

// Both persistent tiers honour core's one contract (packages/core/CONTRACT.md).
describe('IndexedDB storage honours the Storage contract', () => {
  for (const [name, check] of Object.entries(storageContract((n) => openIdbStorage('idb-' + n)))) it(name, check);
});

describe('localStorage storage honours the Storage contract', () => {
  for (const [name, check] of Object.entries(storageContract((n) => kvStorage(localStorage, 'ls-' + n + ':')))) it(name, check);
});

let dbCount = 0;
const ev = (i: number) => ({ event_id: 'e' + i, event_type: 'x', ts: 't', anonymous_id: 'a', session_id: 's' });

/** A database as SDK 0.1 left it: one `kv` store, the whole queue under `tally.q`. */
const legacyDb = (name: string, value: unknown) =>
  new Promise<void>((resolve, reject) => {
    const req = indexedDB.open(name, 1);
    req.onupgradeneeded = () => {
      const kv = req.result.createObjectStore('kv');
      kv.put(value, 'tally.q');
      kv.put({ a: 'anon' }, 'tally.id');
    };
    req.onsuccess = () => (req.result.close(), resolve());
    req.onerror = () => reject(req.error);
  });

describe('IndexedDB: moving the single-value queue of SDK 0.1', () => {
  it('moves tally.q into the events store in order, with its drop count, and deletes it', async () => {
    const name = 'legacy-' + ++dbCount;
    await legacyDb(name, { q: [ev(0), ev(1), ev(2)], d: 3, i: 'rep-1' });
    const s = await openIdbStorage(name);
    const h = await s.head(10);
    expect(h.entries.map((x) => x.event.event_id)).toEqual(['e0', 'e1', 'e2']);
    expect(h.counters).toEqual({ dropped: 3, reportId: 'rep-1' });
    expect(h.size).toBe(3);
    expect(await s.get('tally.q')).toBeUndefined();
    expect(await s.get('tally.id')).toEqual({ a: 'anon' });
    expect(await s.append([ev(3)], 100, (c) => c)).toBe(4);
  });

  it('two connections opening at the same moment move it exactly once', async () => {
    const name = 'legacy-' + ++dbCount;
    await legacyDb(name, { q: [ev(0), ev(1)], d: 0 });
    const [a, b] = await Promise.all([openIdbStorage(name), openIdbStorage(name)]);
    expect((await a.head(10)).entries.map((x) => x.event.event_id)).toEqual(['e0', 'e1']);
    expect((await b.head(10)).size).toBe(2);
  });

  it('reads garbage under tally.q as an empty queue, and deletes it', async () => {
    const name = 'legacy-' + ++dbCount;
    await legacyDb(name, 'garbage');
    const s = await openIdbStorage(name);
    expect(await s.head(10)).toEqual({ entries: [], counters: { dropped: 0 }, size: 0 });
    expect(await s.get('tally.q')).toBeUndefined();
  });

  it('moves what an SDK 0.1 tab still open on the same database queues later, on the next start', async () => {
    const name = 'legacy-' + ++dbCount;
    await legacyDb(name, { q: [ev(0)], d: 0 });
    const s = await openIdbStorage(name);
    expect((await s.head(10)).size).toBe(1);
    // The old tab writes its whole queue again under tally.q (it never saw e0 go).
    const raw = await new Promise<IDBDatabase>((r) => (indexedDB.open(name, 1).onsuccess = function () { r(this.result); }));
    await new Promise((r) => {
      const t = raw.transaction('kv', 'readwrite');
      t.objectStore('kv').put({ q: [ev(1)], d: 1, i: 'old' }, 'tally.q');
      t.oncomplete = r;
    });
    raw.close();
    const next = await openIdbStorage(name);
    const h = await next.head(10);
    expect(h.entries.map((x) => x.event.event_id)).toEqual(['e0', 'e1']);
    expect(h.counters).toEqual({ dropped: 1, reportId: 'old' });
  });
});
