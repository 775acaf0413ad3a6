import type { Lifecycle, LifecycleEvent } from '@tally/core';
import { listen } from './guard.js';

/** A `pagehide` this soon after a hidden visibility change is the same unload: not repeated. */
const SAME_UNLOAD_MS = 1000;

/**
 * Page lifecycle: `visibilitychange` → hidden/visible, `pagehide` → hidden (Safari may skip the
 * visibility change when navigating away), `pageshow` from the back/forward cache → visible,
 * `online`/`offline`. On a normal unload both hide signals fire back to back; the second is
 * dropped so the queue is not beaconed twice, but a `pagehide` long after the tab went to the
 * background (events tracked meanwhile) still emits.
 *
 * Listeners sit on `window` in the bubble phase, so they run after web-vitals' capture-phase
 * listeners: vitals reported on hide are tracked before core flushes for the unload.
 */
export function createBrowserLifecycle(now: () => number = Date.now): Lifecycle {
  return {
    subscribe(listener) {
      let hiddenAt = -1e15;
      const emit = (event: LifecycleEvent) => {
        if (event == 'hidden') hiddenAt = now();
        if (event == 'visible') hiddenAt = -1e15;
        try {
          listener(event);
        } catch {
          // A listener failure must not surface in the host page's event dispatch.
        }
      };
      const visibility = () => emit(document.visibilityState == 'hidden' ? 'hidden' : 'visible');
      const offs = [
        listen(window, 'visibilitychange', visibility),
        listen(window, 'pagehide', () => now() - hiddenAt > SAME_UNLOAD_MS && emit('hidden')),
        listen(window, 'pageshow', (e) => (e as PageTransitionEvent).persisted && visibility()),
        listen(window, 'online', () => emit('online')),
        listen(window, 'offline', () => emit('offline')),
      ];
      return () => offs.forEach((off) => off());
    },
    isOnline: () => navigator.onLine !== false,
  };
}
