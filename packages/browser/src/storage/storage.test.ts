// @vitest-environment happy-dom
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { QueuedEvent, Storage } from '@tally/core';
import { openIdbStorage } from './idb-storage.js';
import { kvQueueStorage, memoryBackend } from './kv-queue-storage.js';

let dbCount = 0;
const ev = (seq: number, id = 'e' + seq): QueuedEvent => ({
  seq,
  event: { event_id: id, event_type: 'action', ts: '2026-11-22T10:00:00.000Z', feature: 'f' + seq },
});
const ids = (q: QueuedEvent[]) => q.map((e) => e.event.event_id);

// Every tier honours the same contract, so one suite runs against all three.
describe.each<[string, () => Promise<Storage>]>([
  ['IndexedDB', () => openIdbStorage('test-db-' + ++dbCount)],
  ['localStorage', async () => kvQueueStorage(localStorage, 'test-ls-' + ++dbCount)],
  ['memory', async () => kvQueueStorage(memoryBackend(), 'test-mem')],
])('%s storage', (_name, make) => {
  it('returns queued events oldest first by seq, whatever the insertion order', async () => {
    const s = await make();
    await s.enqueue([ev(3), ev(1)]);
    await s.enqueue([ev(2)]);
    expect(ids(await s.peek(10))).toEqual(['e1', 'e2', 'e3']);
    expect(ids(await s.peek(2))).toEqual(['e1', 'e2']);
    expect(await s.peek(0)).toEqual([]);
    expect(await s.count()).toBe(3);
    expect((await s.peek(1))[0]).toEqual(ev(1));
  });

  it('keys the queue by event_id: enqueueing an id again replaces it', async () => {
    const s = await make();
    await s.enqueue([ev(1, 'same'), ev(2)]);
    await s.enqueue([ev(5, 'same')]);
    expect(await s.count()).toBe(2);
    expect((await s.peek(10)).map((e) => [e.event.event_id, e.seq])).toEqual([['e2', 2], ['same', 5]]);
  });

  it('removes by event_id, ignores unknown ids, and says how many it removed', async () => {
    const s = await make();
    await s.enqueue([ev(1), ev(2), ev(3)]);
    expect(await s.remove(['e2', 'nope'])).toBe(1);
    expect(ids(await s.peek(10))).toEqual(['e1', 'e3']);
  });

  it('drops the oldest n and says how many it dropped', async () => {
    const s = await make();
    await s.enqueue([ev(4), ev(2), ev(3), ev(1)]);
    expect(await s.dropOldest(2)).toBe(2);
    expect(ids(await s.peek(10))).toEqual(['e3', 'e4']);
    expect(await s.dropOldest(0)).toBe(0);
    expect(await s.dropOldest(5)).toBe(2);
    expect(await s.count()).toBe(0);
  });

  it('clears the queue but keeps small values', async () => {
    const s = await make();
    await s.enqueue([ev(1), ev(2)]);
    await s.set('anonymous_id', 'a-1');
    await s.clear();
    expect(await s.count()).toBe(0);
    expect(await s.get('anonymous_id')).toBe('a-1');
  });

  it('stores, overwrites and deletes small values', async () => {
    const s = await make();
    expect(await s.get('user_id')).toBeNull();
    await s.set('user_id', 'u1');
    await s.set('user_id', 'u2');
    expect(await s.get('user_id')).toBe('u2');
    await s.delete('user_id');
    expect(await s.get('user_id')).toBeNull();
  });
});

describe('IndexedDB storage persistence', () => {
  it('a second connection (a reload, another tab) sees the same queue', async () => {
    const name = 'test-shared-' + ++dbCount;
    const a = await openIdbStorage(name);
    await a.enqueue([ev(1), ev(2)]);
    await a.set('k', 'v');
    const b = await openIdbStorage(name);
    expect(ids(await b.peek(10))).toEqual(['e1', 'e2']);
    expect(await b.get('k')).toBe('v');
  });
});
