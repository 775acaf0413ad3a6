import AsyncStorageV2 from '@react-native-async-storage/async-storage';
import { storageContract } from '@tally/core/testing';
import { kvStorage } from '@tally/core/kv';
import { MMKV } from 'react-native-mmkv';
import { BACKENDS } from '../test/backends';
import { backendOf, isAsyncStorage, isAsyncStorageV3, isMMKV } from './backends';
import { resolveStorage } from './resolve';

const { createAsyncStorage } = require('async-storage-v3/jest');

describe.each(BACKENDS)('%s', (label, open) => {
  const checks = storageContract((name) => resolveStorage(open(name), name + ':'));
  for (const [name, check] of Object.entries(checks)) {
    // Core's CONTRACT.md: two independent handles appending at the same moment over an asynchronous
    // store are not atomic against each other; one React Native app has one JS context, so it never
    // has two. MMKV (synchronous) is held to it.
    if (!label.startsWith('MMKV') && name.startsWith('concurrent appends through two handles')) continue;
    it(name, check);
  }
});

describe('recognising storage by shape', () => {
  it('tells MMKV, AsyncStorage 2.x and 3.x apart, and refuses anything else with a clear error', () => {
    expect(isMMKV(new MMKV())).toBe(true);
    expect(isAsyncStorage(AsyncStorageV2)).toBe(true);
    expect(isAsyncStorageV3(AsyncStorageV2)).toBe(false);
    expect(isAsyncStorageV3(createAsyncStorage('x'))).toBe(true);
    expect(backendOf({})).toBeUndefined();
    expect(() => resolveStorage({ getString: 1 }, 'p:')).toThrow(/options.storage must be an MMKV instance/);
  });

  it('4.x MMKV (`remove` instead of `delete`) is used through `remove`', async () => {
    const map = new Map<string, string>();
    const v4 = { getString: (k: string) => map.get(k), set: (k: string, v: string) => void map.set(k, v), remove: (k: string) => map.delete(k) };
    const s = resolveStorage(v4, 'p:');
    await s.append([{ event_id: 'a', event_type: 'x', ts: 't', anonymous_id: 'a', session_id: 's' }], 10, (c) => c);
    await s.remove((await s.head(1)).entries, (c) => c);
    expect([...map.keys()].filter((k) => k.startsWith('p:tally.e'))).toEqual([]);
  });

  it('one key per event in every backend: never the whole queue in one value', async () => {
    const m = new MMKV({ id: 'layout' });
    const s = resolveStorage(m, 'p:');
    const events = [0, 1, 2].map((i) => ({ event_id: 'e' + i, event_type: 'x', ts: 't', anonymous_id: 'a', session_id: 's' }));
    await s.append(events, 100, (c) => c);
    const keys = m.getAllKeys().filter((k) => k.startsWith('p:tally.e'));
    expect(keys).toHaveLength(3);
    for (const k of keys) expect(JSON.parse(m.getString(k)!).event_id).toMatch(/^e\d$/);
  });

  it('AsyncStorage 3.x: writes issued in one tick become one setMany, and a removal is never overtaken', async () => {
    const a = createAsyncStorage('batching');
    const setMany = jest.spyOn(a, 'setMany');
    const removeMany = jest.spyOn(a, 'removeMany');
    const b = backendOf(a)!;
    await Promise.all([b.setItem('k1', '1'), b.setItem('k2', '2'), b.removeItem('k1'), b.setItem('k3', '3')]);
    expect(setMany).toHaveBeenCalledTimes(2);
    expect(setMany.mock.calls[0]![0]).toEqual({ k1: '1', k2: '2' });
    expect(removeMany).toHaveBeenCalledWith(['k1']);
    expect(await a.getMany(['k1', 'k2', 'k3'])).toEqual({ k1: null, k2: '2', k3: '3' });
  });

  it('kvStorage over MMKV is synchronous: the event is stored before append() resolves, in the same tick', () => {
    const m = new MMKV({ id: 'sync' });
    const s = kvStorage(backendOf(m)!, 'p:');
    void s.append([{ event_id: 'now', event_type: 'x', ts: 't', anonymous_id: 'a', session_id: 's' }], 10, (c) => c);
    expect(m.getAllKeys().some((k) => m.getString(k)?.includes('"now"'))).toBe(true);
  });
});
