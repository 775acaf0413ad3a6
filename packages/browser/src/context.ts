import type { EventContext } from '@tally/core';

const cut = (s: string | undefined, max: number) => (s ? s.slice(0, max) : undefined);

/**
 * Per-event browser context. What does not change during a page's life (screen, locale, time
 * zone, referrer) is read once: `track()` runs on the main thread and `Intl` calls are not free.
 */
export function createBrowserContext(): () => EventContext {
  let fixed: EventContext = { platform: 'web' };
  try {
    fixed = {
      platform: 'web',
      screen: screen.width + 'x' + screen.height,
      locale: cut(navigator.language, 35),
      timezone: cut(Intl.DateTimeFormat().resolvedOptions().timeZone, 64),
      // Another site's query string and fragment can carry its secrets; origin and path are enough.
      referrer: cut(document.referrer.replace(/[?#].*/, ''), 2048),
    };
  } catch {
    // Partial context is fine.
  }
  // JSON drops the undefined fields.
  return () => ({ ...fixed, title: cut(document.title, 512) });
}

/** True when the visitor asked not to be tracked: `navigator.doNotTrack === '1'` or Global Privacy Control. */
export function privacySignal(): boolean {
  const nav = navigator as Navigator & { globalPrivacyControl?: boolean };
  return nav.doNotTrack == '1' || nav.globalPrivacyControl == true;
}
