import type { EventContext } from '@tally/core';
import { safe } from './guard.js';

/** A string cut to `max` characters (the protocol's limit for its field); anything else or empty → left out. */
export const cut = (s: unknown, max = 1024) => (typeof s == 'string' && s.slice(0, max)) || undefined;

/**
 * Per-event browser context. What does not change during a page's life (screen, locale, time
 * zone, referrer) is read once: `track()` runs on the main thread and `Intl` calls are not free.
 */
export function createBrowserContext(): () => EventContext {
  // Partial context is fine: a host without `Intl` or `screen` still gets platform and title.
  const fixed = safe(
    (): Partial<EventContext> => ({
      screen: screen.width + 'x' + screen.height,
      locale: cut(navigator.language, 35),
      // Not cut: IANA zone names stay far below the protocol's 64 characters.
      timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
      // Another site's query string and fragment can carry its secrets; origin and path are enough.
      referrer: cut(document.referrer.replace(/[?#].*/, ''), 2048),
    }),
  )();
  // JSON drops the undefined fields.
  return () => ({ ...fixed, platform: 'web', title: cut(document.title, 512) });
}

/** True when the visitor asked not to be tracked: `navigator.doNotTrack === '1'` or Global Privacy Control. */
export function privacySignal(): boolean {
  const nav = navigator as Navigator & { globalPrivacyControl?: boolean };
  return nav.doNotTrack == '1' || nav.globalPrivacyControl == true;
}
