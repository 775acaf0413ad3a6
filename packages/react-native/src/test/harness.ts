import { createFakeClock, createFakeTransport } from '@tally/core/testing';
import type { AppStateLike } from '../lifecycle.js';
import { init, type ReactNativeOptions } from '../init.js';

/** An AppState whose changes the test drives. */
export function fakeAppState(initial = 'active') {
  const listeners = new Set<(s: string) => void>();
  return {
    currentState: initial,
    addEventListener: (_: 'change', fn: (s: string) => void) => (listeners.add(fn), { remove: () => void listeners.delete(fn) }),
    set(state: string) {
      this.currentState = state;
      for (const fn of [...listeners]) fn(state);
    },
    listeners: () => listeners.size,
  } satisfies AppStateLike & Record<string, unknown>;
}

/** A client on fakes: clock, transport and AppState are the test's; storage is the caller's. */
export function start(storage: ReactNativeOptions['storage'], extra: Partial<ReactNativeOptions> = {}) {
  const clock = createFakeClock();
  const transport = createFakeTransport();
  const appState = fakeAppState();
  const client = init({
    endpoint: 'http://collector.test',
    app: 'rn-test',
    storage,
    transport,
    clock,
    appState,
    appVersion: '1.2.3 (45)',
    // Deterministic jitter: the backoff delay is the full window.
    random: () => 0.999,
    ...extra,
  });
  /** Event ids of every batch sent, in order. */
  const sentIds = () => transport.batches().flatMap((b) => b.events.map((e) => e.event_id));
  return { client, clock, transport, appState, sentIds };
}
