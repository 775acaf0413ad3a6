import { describe, expect, it } from 'vitest';
import { memoryStorage, type MemoryState } from './memory-storage.js';
import { KV_META } from './queue-storage.js';
import { setup } from './testing/fixture.js';
import { fallbackStorage } from './storage.js';
import { createMemoryStorage } from './testing/storage.js';

/** Event ids stored in a memory storage's Map, read directly (no storage call, no await). */
const storedIds = (map: MemoryState) =>
  [...map.entries()].filter(([k]) => typeof k == 'number').map(([, e]) => (e as { event_id: string }).event_id);

describe('a synchronous storage (Storage.sync: MMKV, a Map)', () => {
  it('has each event, and the meta record that makes it readable, before track() returns', async () => {
    const map: MemoryState = new Map();
    const s = setup({ storage: memoryStorage(map) as never });
    await s.client.ready();
    s.client.track('action', 'a');
    // No await, no microtask: what a kill right now would leave on disk.
    expect(storedIds(map)).toHaveLength(1);
    expect((map.get(KV_META) as { n: number }).n).toBe(1);
    s.client.track('action', 'b');
    expect(storedIds(map)).toHaveLength(2);
    // A second handle (the next process) reads both, in order.
    const next = await memoryStorage(map).head(10);
    expect(next.entries.map((x) => x.event.feature)).toEqual(['a', 'b']);
    await s.clock.advance(1000);
    expect(s.events().map((e) => e.feature)).toEqual(['a', 'b']);
    expect(storedIds(map)).toEqual([]);
  });

  it('a storage that answers every property (a Proxy, like fallbackStorage) is not taken for synchronous', async () => {
    const inner = createMemoryStorage();
    let appends = 0;
    const append = inner.append;
    inner.append = (...a) => (appends++, append(...a));
    const s = setup({ storage: fallbackStorage([() => inner]) as never });
    await s.client.ready();
    await s.client.flush();
    s.client.track('action', 'a');
    s.client.track('action', 'b');
    // A synchronous storage would have been handed each event before track() returned.
    expect(appends).toBe(0);
    await s.clock.advance(1000);
    expect(appends).toBe(1);
    expect(s.events().map((e) => e.feature)).toEqual(['a', 'b']);
  });

  it('an asynchronous storage (no `sync`) gets one write per task for a burst, after track() returns', async () => {
    const s = setup();
    await s.client.ready();
    let appends = 0;
    const append = s.storage.append;
    s.storage.append = (...a) => (appends++, append(...a));
    for (let i = 0; i < 5; i++) s.client.track('action', `f${i}`);
    expect(appends).toBe(0);
    expect(s.storage.queue).toHaveLength(0);
    await s.settle();
    expect(appends).toBe(1);
    expect(s.storage.queue).toHaveLength(5);
  });
});
