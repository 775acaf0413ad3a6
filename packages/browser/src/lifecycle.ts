import type { Lifecycle, LifecycleEvent } from '@tally/core';
import { listen } from './guard.js';

/**
 * Page lifecycle: `visibilitychange` → hidden/visible, `pagehide` → hidden (Safari may skip the
 * visibility change when navigating away), `pageshow` from the back/forward cache → visible,
 * `online`/`offline`. On a normal unload both hide signals fire back to back; the second is
 * dropped (within 1 s, by the events' own time stamps) so the queue is not beaconed twice, but a
 * `pagehide` long after the tab went to the background (events tracked meanwhile) still emits.
 *
 * Listeners sit on `window` in the bubble phase, so they run after the vitals tracker's
 * capture-phase listeners: vitals reported on hide are tracked before core flushes for the unload.
 */
export function createBrowserLifecycle(): Lifecycle {
  return {
    subscribe(listener) {
      // Undefined while visible: a time minus it is NaN, never "within 1 s".
      let hiddenAt: number | undefined;
      const emit = (event: LifecycleEvent, e: Event) => {
        hiddenAt = event == 'hidden' ? e.timeStamp : undefined;
        listener(event);
      };
      const visibility = (e: Event) => emit(document.visibilityState, e);
      const forward = (e: Event) => listener(e.type as LifecycleEvent);
      return listen(window, {
        online: forward,
        offline: forward,
        visibilitychange: visibility,
        pagehide: (e: Event) => e.timeStamp - hiddenAt! < 1000 || emit('hidden', e),
        pageshow: (e: PageTransitionEvent) => e.persisted && visibility(e),
      });
    },
    isOnline: () => navigator.onLine,
  };
}
