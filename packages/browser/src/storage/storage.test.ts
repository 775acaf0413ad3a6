// @vitest-environment happy-dom
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { kvStorage, type Storage } from '@tally/core';
import { openIdbStorage } from './idb-storage.js';

let dbCount = 0;

// Both persistent tiers honour the same contract, so one suite runs against each.
describe.each<[string, () => Promise<Storage>]>([
  ['IndexedDB', () => openIdbStorage('test-db-' + ++dbCount)],
  ['localStorage', async () => kvStorage(localStorage, 'test-ls-' + ++dbCount + ':')],
])('%s storage', (_name, make) => {
  it('stores, replaces and deletes values, returning copies of what was stored', async () => {
    const s = await make();
    expect(await s.get('q')).toBeUndefined();
    const value = { q: [{ event_id: 'e1', meta: { n: 1 } }], d: 2 };
    await s.update('q', () => value);
    value.d = 99;
    expect(await s.get('q')).toEqual({ q: [{ event_id: 'e1', meta: { n: 1 } }], d: 2 });
    await s.update('q', (v) => ({ ...v, d: v.d + 1 }));
    expect(await s.get('q')).toMatchObject({ d: 3 });
    await s.update('q', () => undefined);
    expect(await s.get('q')).toBeUndefined();
  });

  it('keeps keys apart and takes strings and numbers too', async () => {
    const s = await make();
    await s.update('a', () => 'text');
    await s.update('b', () => 1);
    expect([await s.get('a'), await s.get('b'), await s.get('c')]).toEqual(['text', 1, undefined]);
  });

  it('applies concurrent updates one after another: none is lost', async () => {
    const s = await make();
    await Promise.all(Array.from({ length: 20 }, () => s.update('n', (v) => (v ?? 0) + 1)));
    expect(await s.get('n')).toBe(20);
  });

  it('rejects, and writes nothing, when the update function throws', async () => {
    const s = await make();
    await s.update('k', () => 'before');
    await expect(
      s.update('k', () => {
        throw new Error('bad');
      }),
    ).rejects.toThrow();
    expect(await s.get('k')).toBe('before');
  });
});

describe('IndexedDB storage persistence', () => {
  it('a second connection (a reload, another tab) sees the same values, and updates are atomic across them', async () => {
    const name = 'test-shared-' + ++dbCount;
    const a = await openIdbStorage(name);
    const b = await openIdbStorage(name);
    await a.update('k', () => 'v');
    expect(await b.get('k')).toBe('v');
    // Two "tabs" appending to one list at once: every append survives.
    await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).update('list', (v: number[] | undefined) => [...(v ?? []), i])),
    );
    expect(((await a.get('list')) as number[]).sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});
