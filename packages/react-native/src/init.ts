import { createClient } from '@tally/core';
import { defaultUuid } from '@tally/core/adapter';
import type { Client, ClientOptions, Lifecycle, Storage, Transport } from '@tally/core';
import { AppState } from 'react-native';
import { createNativeContext } from './context.js';
import { createAppStateLifecycle, onLeave, type AppStateLike } from './lifecycle.js';
import type { AsyncStorageLike, AsyncStorageV3Like, MMKVLike } from './storage/backends.js';
import { resolveStorage } from './storage/resolve.js';
import { createNativeTransport } from './transport.js';
import { SDK } from './version.js';

export interface ReactNativeOptions
  extends Omit<ClientOptions, 'storage' | 'transport' | 'lifecycle' | 'lock' | 'context' | 'url' | 'sdk' | 'uuid'> {
  /** UUID source. Default: `crypto.randomUUID` where the engine has it, else a `Math.random` v4 id (Hermes). */
  uuid?: () => string;
  /** Collector base URL; events go to `${endpoint}/v1/events`. */
  endpoint: string;
  /**
   * Where the queue lives: an `MMKV` instance (the event is stored before `track()` returns, once
   * start-up has read the stored ids), the `AsyncStorage` object (the write is issued at the end of
   * the JavaScript task; `flush()` and backgrounding wait for it), or
   * any implementation of core's storage contract. Default: MMKV, else AsyncStorage, else memory.
   */
  storage?: MMKVLike | AsyncStorageLike | AsyncStorageV3Like | Storage;
  /** Key prefix in that storage. Default `tally:`. */
  storagePrefix?: string;
  /** Sent as `context.app_version`; default from `expo-application` or `react-native-device-info` when installed. */
  appVersion?: string;
  /** Replace a platform piece (tests, unusual hosts). */
  transport?: Transport;
  lifecycle?: Lifecycle;
  appState?: AppStateLike;
}

export interface ReactNativeClient extends Client {
  /** A `page_view` whose `feature` is the screen name. */
  screen(name: string, metadata?: Record<string, unknown>): void;
}

/**
 * Creates a React Native client: core's pipeline with MMKV/AsyncStorage storage, fetch transport,
 * AppState lifecycle and device context. `init` throws only for an `options.storage` it cannot use;
 * the client it returns never throws into the app.
 */
export function init(options: ReactNativeOptions): ReactNativeClient {
  const log = options.log ?? (options.debug ? console.log.bind(console, '[tally]') : undefined);
  const appState = options.appState ?? AppState;
  const client = createClient({
    sdk: SDK,
    uuid: defaultUuid,
    ...options,
    log,
    storage: resolveStorage(options.storage, options.storagePrefix ?? 'tally:'),
    transport: options.transport ?? createNativeTransport(options),
    lifecycle: options.lifecycle ?? createAppStateLifecycle(appState),
    context: createNativeContext(options.appVersion),
  });
  // Leaving the app: deliver now, acknowledged, while JavaScript still runs; what does not make it stays stored.
  const stopLeave = onLeave(appState, () => void client.flush());
  return {
    ...client,
    screen: (name, metadata) => client.track('page_view', name, metadata),
    shutdown() {
      stopLeave();
      client.shutdown();
    },
  };
}
