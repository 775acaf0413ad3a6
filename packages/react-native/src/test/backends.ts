import AsyncStorageV2 from '@react-native-async-storage/async-storage';
import { MMKV } from 'react-native-mmkv';

// The official mocks: 2.x through jest.setup.cjs (`async-storage/jest/async-storage-mock`), 3.x's
// own `./jest` entry, and react-native-mmkv's built-in mock (used by `new MMKV()` under Jest).
const { createAsyncStorage } = require('async-storage-v3/jest');

/** Each backend as an app would hand it to `init({ storage })`, opened by name like another handle. */
export const BACKENDS: Array<[string, (name: string) => unknown]> = [
  ['MMKV (react-native-mmkv mock)', (() => {
    const instances = new Map<string, MMKV>();
    return (name: string) => instances.get(name) ?? instances.set(name, new MMKV({ id: name })).get(name)!;
  })()],
  ['AsyncStorage 2.x (official mock)', () => AsyncStorageV2],
  ['AsyncStorage 3.x (official mock, getMany/setMany/removeMany)', () => createAsyncStorage('tally-test')],
];

