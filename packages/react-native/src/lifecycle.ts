import type { Lifecycle } from '@tally/core';

/** The part of React Native's `AppState` the SDK uses. */
export interface AppStateLike {
  currentState?: string | null;
  addEventListener(type: 'change', listener: (state: string) => void): { remove(): void };
}

/**
 * Core's lifecycle from `AppState`. There is no connectivity signal (no NetInfo dependency): the
 * device counts as online, a failed send backs off (1 s doubling to 5 min, `Retry-After`
 * honoured), and a return to `active` is reported as `online`, which makes core retry at once.
 */
export function createAppStateLifecycle(appState: AppStateLike): Lifecycle {
  return {
    subscribe(listener) {
      const sub = appState.addEventListener('change', (s) => s == 'active' && listener('online'));
      return () => sub.remove();
    },
    isOnline: () => true,
  };
}

/** Calls `leaving` when the app goes to `background` or `inactive` (iOS app switcher, a call). */
export function onLeave(appState: AppStateLike, leaving: () => void): () => void {
  const sub = appState.addEventListener('change', (s) => (s == 'background' || s == 'inactive') && leaving());
  return () => sub.remove();
}
