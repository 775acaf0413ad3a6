import { useCallback, useRef } from 'react';
import type { ReactNativeClient } from '../init.js';
import { useTally } from './provider.js';

/** The part of React Navigation's (6 and 7) container ref the tracker reads. */
export interface NavigationRefLike {
  getCurrentRoute(): { name: string; params?: object } | undefined;
}

export interface ScreenTracker {
  /** Pass to `NavigationContainer`'s `onReady`: tracks the first screen. */
  onReady(): void;
  /** Pass to `NavigationContainer`'s `onStateChange`: tracks each change of the focused screen. */
  onStateChange(): void;
}

/**
 * Screen views for React Navigation 6 and 7 without depending on it: the container's ref tells
 * the focused route; a `page_view` (feature = route name) is tracked when it changes. A change of
 * params alone on the same route is not a new screen. `screenName` maps a route to the name sent.
 */
export function screenTracker(
  client: Pick<ReactNativeClient, 'screen'>,
  ref: NavigationRefLike | { current: NavigationRefLike | null },
  screenName: (route: { name: string; params?: object }) => string | undefined = (r) => r.name,
): ScreenTracker {
  let last: string | undefined;
  const check = () => {
    const nav = 'getCurrentRoute' in ref ? ref : ref.current;
    const route = nav?.getCurrentRoute();
    const name = route && screenName(route);
    if (name && name != last) {
      last = name;
      client.screen(name);
    }
  };
  return { onReady: check, onStateChange: check };
}

/** `screenTracker` for the client of the nearest `TallyProvider`, stable across renders. */
export function useScreenTracking(
  ref: NavigationRefLike | { current: NavigationRefLike | null },
  screenName?: (route: { name: string; params?: object }) => string | undefined,
): ScreenTracker {
  const client = useTally();
  const tracker = useRef<ScreenTracker | undefined>(undefined);
  tracker.current ??= screenTracker(client, ref, screenName);
  const onReady = useCallback(() => tracker.current!.onReady(), []);
  const onStateChange = useCallback(() => tracker.current!.onStateChange(), []);
  return { onReady, onStateChange };
}
