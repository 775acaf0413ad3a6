import { memoryStorage, type Storage } from '@tally/core';

/**
 * Runs `fn` with a fresh module registry in which `mocks` replace installed modules. The SDK
 * requires the storage modules lazily, so `fn` must call it inside (jest's isolated registry ends
 * with `isolateModules`).
 */
const within = <T>(mocks: Record<string, () => unknown>, fn: (mod: typeof import('./resolve')) => T): T => {
  let out!: T;
  jest.isolateModules(() => {
    // doMock outlives isolateModules: every test states the whole set.
    if (!mocks['react-native-mmkv']) jest.dontMock('react-native-mmkv');
    if (!mocks['@react-native-async-storage/async-storage'])
      jest.doMock('@react-native-async-storage/async-storage', () => require('@react-native-async-storage/async-storage/jest/async-storage-mock'));
    for (const [name, factory] of Object.entries(mocks)) jest.doMock(name, factory);
    out = fn(require('./resolve'));
  });
  return out;
};
const missing = () => {
  throw new Error('Cannot find module');
};

describe('storage without options.storage', () => {
  it('uses MMKV when react-native-mmkv can be required', () => {
    expect(within({}, (m) => (m.detectStorage() as object).constructor.name)).toBe('MMKV');
  });

  it('writes through the MMKV instance it created (id "tally")', async () => {
    const map = new Map<string, string>();
    const ids: unknown[] = [];
    class MMKV {
      constructor(c: { id: string }) {
        ids.push(c.id);
      }
      getString = (k: string) => map.get(k);
      set = (k: string, v: string) => void map.set(k, v);
      delete = (k: string) => void map.delete(k);
    }
    const s: Storage = within({ 'react-native-mmkv': () => ({ MMKV }) }, (m) => m.resolveStorage(undefined, 'd:'));
    await s.set('k', 1);
    expect(ids).toEqual(['tally']);
    expect(map.get('d:k')).toBe('1');
  });

  it('4.x: createMMKV() is used when the module has it', () => {
    const made = { getString: () => undefined, set: () => {}, remove: () => true };
    expect(within({ 'react-native-mmkv': () => ({ createMMKV: () => made }) }, (m) => m.detectStorage())).toBe(made);
  });

  it('falls back to AsyncStorage when MMKV is not installed', () => {
    const found = within({ 'react-native-mmkv': missing }, (m) => {
      const a = require('@react-native-async-storage/async-storage');
      return [m.detectStorage(), a.default ?? a];
    });
    expect(found[0]).toBe(found[1]);
    expect(typeof (found[0] as { getItem: unknown }).getItem).toBe('function');
  });

  it('falls back to memory with one warning when neither is installed', () => {
    const warn = jest.fn();
    const a = within({ 'react-native-mmkv': missing, '@react-native-async-storage/async-storage': missing }, (m) => {
      const s = m.resolveStorage(undefined, 'm:', warn);
      m.resolveStorage(undefined, 'm:', warn);
      return s;
    });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toMatch(/kept in memory only/);
    expect(Object.keys(a).sort()).toEqual(Object.keys(memoryStorage()).sort());
  });

  it('an implementation of core’s contract is used as it is', () => {
    const mine = memoryStorage();
    expect(within({}, (m) => m.resolveStorage(mine, 'x:'))).toBe(mine);
  });
});
