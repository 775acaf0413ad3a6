import type { EventContext } from '@tally/protocol';

const cut = (s: string, max: number) => (s ? s.slice(0, max) : undefined);

/**
 * Per-event browser context. What does not change during a page's life (screen, locale, time
 * zone, referrer) is read once: `track()` runs on the main thread and `Intl` calls are not free.
 */
export function createBrowserContext(sdk?: EventContext['sdk']): () => EventContext {
  const fixed: EventContext = { platform: 'web' };
  try {
    fixed.screen = screen.width + 'x' + screen.height;
    fixed.locale = cut(navigator.language, 35);
    fixed.timezone = cut(Intl.DateTimeFormat().resolvedOptions().timeZone, 64);
    // Another site's query string and fragment can carry its secrets; origin and path are enough.
    fixed.referrer = cut(document.referrer.replace(/[?#].*/, ''), 2048);
  } catch {
    // Partial context is fine.
  }
  if (!fixed.referrer) delete fixed.referrer;
  if (sdk) fixed.sdk = sdk;
  return () => {
    const ctx: EventContext = { ...fixed };
    const title = cut(document.title, 512);
    if (title) ctx.title = title;
    return ctx;
  };
}

/** True when the visitor asked not to be tracked: `navigator.doNotTrack === '1'` or Global Privacy Control. */
export function privacySignal(): boolean {
  try {
    const nav = navigator as Navigator & { globalPrivacyControl?: boolean };
    return nav.doNotTrack === '1' || nav.globalPrivacyControl === true;
  } catch {
    return false;
  }
}
