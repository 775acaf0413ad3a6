import type { Client } from '@tally/core';
import { listen, safe } from '../guard.js';

/**
 * Core Web Vitals and the two other navigation metrics, measured the way Google's `web-vitals`
 * library (v5) defines and reports them — its definitions are the reference, and the end-to-end
 * test `e2e/vitals.test.ts` runs web-vitals in the same Chromium page and checks that both agree.
 * We measure them ourselves because web-vitals alone is ≈ 2 KB gzipped, over a third of the whole
 * script tag's 7 KB budget; this file is a fraction of that (see docs/sdk-browser.md "Size").
 *
 * Each metric is `web_vital`, feature = its name, metadata {value, rating, id, navigationType}:
 * - FCP: the `first-contentful-paint` paint entry, reported once.
 * - LCP: the last `largest-contentful-paint` entry, reported once the visitor first presses a key
 *   or clicks (the browser stops emitting candidates then) or the page is hidden.
 * - CLS: the largest session window of layout shifts without recent input (shifts < 1 s apart,
 *   a window ≤ 5 s), reported each time the page is hidden and the value changed. Like web-vitals,
 *   it starts once FCP is known, so a page hidden before its first paint has none.
 * - INP: the 98th-percentile interaction latency — of the 10 longest interactions, the one at index
 *   ⌊interactions / 50⌋ — reported each time the page is hidden and the value changed; none without
 *   an interaction. Where `performance.interactionCount` is missing the count is the number of
 *   interactions seen at ≥ 40 ms (so INP can only err towards a longer interaction).
 * - TTFB: `responseStart` of the navigation entry, once the page has loaded.
 * FCP, LCP and TTFB count from activation on a prerendered page (navigationType `prerender`), and
 * FCP and LCP only if they happened before the page was first hidden (a background tab paints late
 * for reasons the visitor never sees). A page restored from the back/forward cache is a new
 * navigation (`back-forward-cache`): FCP and LCP are the time to the next frame, TTFB 0, CLS and
 * INP start over.
 *
 * Observers are never removed: started once, they report only while `active`.
 */
export function trackVitals(client: Pick<Client, 'track'>, active: () => boolean): void {
  const perf = performance;
  const doc = document as Document & { prerendering?: boolean; wasDiscarded?: boolean };
  const isHidden = () => doc.visibilityState == 'hidden';
  const observe = (type: string, cb: (entries: any[]) => void, options?: object) => {
    // `observe` ignores an entry type the browser does not know (a console warning, no error).
    const o = new PerformanceObserver(safe((list: PerformanceObserverEntryList) => cb(list.getEntries())));
    o.observe({ type, buffered: true, ...options });
    return o;
  };

  let navigationType: string;
  let firstHidden: number;
  // web.dev's "good" and "poor" boundaries: ≤ first is good, > second is poor.
  const metric = (name: string, good: number, poor: number) => {
    const id = `t1-${Date.now()}-${Math.random().toString(36).slice(2)}`;
    let last: number | undefined;
    return (value: number) => {
      // Reported when it has a value that differs from the one reported last (web-vitals' default).
      if (value >= 0 && value !== last && active()) {
        last = value;
        client.track('web_vital', name, { value, rating: value > poor ? 'poor' : value > good ? 'needs-improvement' : 'good', id, navigationType });
      }
    };
  };
  let fcp: (value: number) => void, lcp: typeof fcp, cls: typeof fcp, inp: typeof fcp;
  let lcpValue: number, lcpFinal: unknown, clsOn: unknown;
  let shift: number, windowValue: number, windowFirst: number, windowLast: number;
  let slowest: Map<unknown, number>, ids: Set<unknown>, countAtStart: number;
  const interactionCount = () => (perf as { interactionCount?: number }).interactionCount ?? ids.size;
  const begin = (type: string) => {
    navigationType = type;
    fcp = metric('FCP', 1800, 3000);
    lcp = metric('LCP', 2500, 4000);
    cls = metric('CLS', 0.1, 0.25);
    inp = metric('INP', 200, 500);
    lcpValue = -1;
    shift = windowValue = 0;
    slowest = new Map();
    ids = new Set();
    // Interactions count from the navigation: those before the SDK loaded are in the buffered
    // entries too. A back/forward-cache restore sets its own starting point.
    countAtStart = 0;
    return metric('TTFB', 800, 1800);
  };

  // Runs once the page is shown (after activation, for a prerendered one), so the navigation entry
  // and its activationStart are final here.
  const start = () => {
    // An entry without a response yet (or from the future) is a browser bug web-vitals also skips.
    const entry = perf.getEntriesByType('navigation')[0] as (PerformanceNavigationTiming & { activationStart?: number }) | undefined;
    const nav = entry && entry.responseStart > 0 && entry.responseStart < perf.now() ? entry : undefined;
    const activation = nav?.activationStart ?? 0;
    const since = (time: number) => Math.max(time - activation, 0);
    const ttfb = begin(
      doc.prerendering || activation > 0 ? 'prerender' : doc.wasDiscarded ? 'restore' : nav?.type.replace(/_/g, '-') ?? 'navigate',
    );
    firstHidden =
      perf.getEntriesByType('visibility-state').find((e) => e.name == 'hidden' && e.startTime >= activation)?.startTime ??
      (isHidden() ? 0 : Infinity);
    const ready = () => (nav ? ttfb(since(nav.responseStart)) : undefined);
    doc.readyState == 'complete' ? ready() : addEventListener('load', safe(ready), { once: true });

    observe('paint', (entries) => {
      for (const e of entries) {
        if (e.name == 'first-contentful-paint' && e.startTime < firstHidden) {
          fcp(since(e.startTime));
          clsOn = 1;
        }
      }
    });
    const onLcp = (entries: PerformanceEntry[]) => {
      const e = entries.at(-1);
      if (e && !lcpFinal && e.startTime < firstHidden) lcpValue = since(e.startTime);
    };
    const onShift = (entries: any[]) => {
      for (const e of entries) {
        if (e.hadRecentInput) continue;
        if (windowValue && e.startTime - windowLast < 1000 && e.startTime - windowFirst < 5000) windowValue += e.value;
        else {
          windowValue = e.value;
          windowFirst = e.startTime;
        }
        windowLast = e.startTime;
        shift = Math.max(shift, windowValue);
      }
    };
    const onEvent = (entries: any[]) => {
      for (const e of entries) {
        const id = e.interactionId;
        // The first input is always reported, even below the duration threshold.
        if (!id && e.entryType != 'first-input') continue;
        ids.add(id);
        slowest.set(id, Math.max(slowest.get(id) ?? 0, e.duration));
        // Only the 10 longest can ever be the candidate (at most 500 interactions in view).
        if (slowest.size > 10) {
          const min = Math.min(...slowest.values());
          for (const [k, d] of slowest) if (d == min) { slowest.delete(k); break; }
        }
      }
    };
    const lcps = observe('largest-contentful-paint', onLcp);
    const shifts = observe('layout-shift', onShift);
    // Safari and older Firefox time events but give them no interactionId: no INP there.
    const events = 'interactionId' in ((globalThis as any).PerformanceEventTiming?.prototype ?? {}) && observe('event', onEvent, { durationThreshold: 40 });
    if (events) events.observe({ type: 'first-input', buffered: true });

    const finalLcp = (e: Event) => {
      if (e.isTrusted && !lcpFinal) {
        onLcp(lcps.takeRecords());
        lcps.disconnect();
        lcpFinal = 1;
        lcp(lcpValue);
      }
    };
    listen(
      window,
      {
        keydown: finalLcp,
        click: finalLcp,
        visibilitychange: (e: Event) => {
          if (!isHidden()) return;
          if (firstHidden == Infinity) firstHidden = e.timeStamp;
          finalLcp(e);
          onShift(shifts.takeRecords());
          if (clsOn) cls(shift);
          if (events) {
            onEvent(events.takeRecords());
            const sorted = [...slowest.values()].sort((a, b) => b - a);
            inp(sorted[Math.min(sorted.length - 1, Math.floor((interactionCount() - countAtStart) / 50))] ?? -1);
          }
        },
        pageshow: (e: PageTransitionEvent) => {
          if (!e.persisted) return;
          const ttfb = begin('back-forward-cache');
          countAtStart = interactionCount();
          firstHidden = isHidden() ? 0 : Infinity;
          lcpFinal = 1;
          ttfb(0);
          requestAnimationFrame(() =>
            requestAnimationFrame(
              safe(() => {
                const value = perf.now() - e.timeStamp;
                fcp(value);
                lcp(value);
                clsOn = 1;
              }),
            ),
          );
        },
      },
      true,
    );
  };
  // Chromium fires `prerenderingchange` at the document without bubbling: capture it on window.
  doc.prerendering ? addEventListener('prerenderingchange', safe(start), { once: true, capture: true }) : start();
}
