import type { Lifecycle, LifecycleEvent } from '@tally/core';

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
      let hiddenAt = -Infinity;
      const emit = (event: LifecycleEvent) => {
        if (event === 'hidden') hiddenAt = now();
        if (event === 'visible') hiddenAt = -Infinity;
        try {
          listener(event);
        } catch {
          // A listener failure must not surface in the host page's event dispatch.
        }
      };
      const handlers: Array<[string, (e: Event) => void]> = [
        ['visibilitychange', () => emit(document.visibilityState === 'hidden' ? 'hidden' : 'visible')],
        ['pagehide', () => now() - hiddenAt > SAME_UNLOAD_MS && emit('hidden')],
        ['pageshow', (e) => (e as PageTransitionEvent).persisted && emit('visible')],
        ['online', () => emit('online')],
        ['offline', () => emit('offline')],
      ];
      for (const [type, fn] of handlers) addEventListener(type, fn);
      return () => {
        for (const [type, fn] of handlers) removeEventListener(type, fn);
      };
    },
    isOnline: () => navigator.onLine !== false,
  };
}
