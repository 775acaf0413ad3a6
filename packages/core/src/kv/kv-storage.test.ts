import { describe, expect, it } from 'vitest';
declare const setTimeout: (fn: () => void, ms: number) => unknown;
import { kvRunner, kvStorage, type KeyValueBackend } from './kv-storage.js';
import { KV_LEGACY, withLegacyQueue } from '../adapter/legacy-queue.js';
import { queueStorage } from '../queue-storage.js';

/** As the browser's localStorage tier opens it: with the SDK 0.1 queue moved on the first step. */
const upgrading = (b: KeyValueBackend, prefix: string) => queueStorage(withLegacyQueue(kvRunner(b, prefix)));
import { storageContract } from '../testing/contract.js';

/** A string store in a Map that counts its calls; `full` makes setItem throw like a full localStorage. */
const backend = (map = new Map<string, string>()) => {
  const b = {
    map,
    reads: 0,
    writes: 0,
    full: false,
    getItem: (k: string) => (b.reads++, map.get(k) ?? null),
    setItem: (k: string, v: string) => {
      if (b.full) throw new Error('QuotaExceededError');
      b.writes++;
      map.set(k, v);
    },
    removeItem: (k: string) => (b.writes++, map.delete(k)),
  };
  return b;
};

const asyncBackend = (map: Map<string, string>): KeyValueBackend => {
  const b = backend(map);
  // A macrotask per call, like a native bridge: other steps' microtasks run in between.
  const later = <T>(f: () => T) => new Promise<T>((r) => setTimeout(() => r(f()), 0));
  return {
    getItem: (k) => later(() => b.getItem(k)),
    setItem: (k, v) => later(() => b.setItem(k, v)),
    removeItem: (k) => later(() => b.removeItem(k)),
  };
};

describe.each([
  ['a synchronous backend (localStorage, MMKV)', (m: Map<string, string>) => backend(m)],
  ['an asynchronous backend (AsyncStorage)', asyncBackend],
])('kvStorage over %s honours the Storage contract', (_n, make) => {
  // One shared map: opening a name again is another handle on the same keys, like another tab.
  const map = new Map<string, string>();
  const checks = storageContract((name) => kvStorage(make(map), name + ':'));
  // Two handles appending concurrently over an asynchronous backend interleave their reads and
  // writes: only a synchronous backend (or core's serial line within one handle) makes that safe.
  for (const [name, check] of Object.entries(checks))
    if (make !== asyncBackend || !name.startsWith('concurrent appends through two handles')) it(name, check);
});

const ev = (i: number) => ({ event_id: 'e' + i, event_type: 'x', ts: 't', anonymous_id: 'a', session_id: 's' });
const evs = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => ev(from + i));

describe('kvStorage layout', () => {
  it('one key per event plus one meta record, under the prefix: never one big value', async () => {
    const b = backend();
    const s = kvStorage(b, 'p:');
    await s.append(evs(0, 3), 100, (c) => c);
    expect([...b.map.keys()].sort()).toEqual(['p:tally.c', 'p:tally.e0', 'p:tally.e1', 'p:tally.e2']);
    expect(JSON.parse(b.map.get('p:tally.e1')!)).toEqual(ev(1));
    await s.remove((await s.head(3)).entries, (c) => c);
    // The meta record stays (sequence numbers never restart); the event keys are gone.
    expect([...b.map.keys()]).toEqual(['p:tally.c']);
  });

  it('costs the same number of backend calls per step at 10 and at 1,000 queued', async () => {
    const cost = async (queued: number) => {
      const b = backend();
      const s = kvStorage(b, 'p:');
      await s.append(evs(0, queued), 1e5, (c) => c);
      b.reads = b.writes = 0;
      await s.append([ev(-1)], 1e5, (c) => c);
      const h = await s.head(5);
      await s.remove(h.entries, (c) => c);
      return [b.reads, b.writes];
    };
    expect(await cost(1000)).toEqual(await cost(10));
  });

  it('a write that fails half-way (quota) leaves the queue as it was, with no stray keys', async () => {
    const b = backend();
    const s = kvStorage(b, 'p:');
    await s.append(evs(0, 2), 100, (c) => c);
    const before = new Map(b.map);
    let n = 0;
    const set = b.setItem;
    b.setItem = (k, v) => {
      if (++n == 3) throw new Error('QuotaExceededError');
      set(k, v);
    };
    await expect(s.append(evs(2, 6), 100, (c) => c)).rejects.toThrow('Quota');
    expect(b.map).toEqual(before);
    b.setItem = set;
    expect((await s.head(10)).entries.map((x) => x.event.event_id)).toEqual(['e0', 'e1']);
  });

  it('moves a legacy single-value queue (tally.q) into the new layout once, counters included', async () => {
    const b = backend();
    b.map.set('p:' + KV_LEGACY, JSON.stringify({ q: evs(0, 3), d: 2, i: 'old-report' }));
    b.map.set('p:tally.id', JSON.stringify({ a: 'anon' }));
    const s = upgrading(b, 'p:');
    expect(await s.append([ev(3)], 100, (c) => c)).toBe(4);
    const h = await s.head(10);
    expect(h.entries.map((x) => x.event.event_id)).toEqual(['e0', 'e1', 'e2', 'e3']);
    expect(h.counters).toEqual({ dropped: 2, reportId: 'old-report' });
    expect(b.map.has('p:' + KV_LEGACY)).toBe(false);
    expect(await s.get('tally.id')).toEqual({ a: 'anon' });
    // A second handle (another tab started later) finds nothing left to move.
    expect((await upgrading(b, 'p:').head(10)).size).toBe(4);
  });

  it('ignores a legacy value that is not a queue', async () => {
    const b = backend();
    b.map.set('p:' + KV_LEGACY, '"garbage"');
    const s = upgrading(b, 'p:');
    expect((await s.head(10)).size).toBe(0);
    expect(b.map.has('p:' + KV_LEGACY)).toBe(false);
  });
});
