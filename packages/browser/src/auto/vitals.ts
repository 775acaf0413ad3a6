import { onCLS, onFCP, onINP, onLCP, onTTFB, type Metric } from 'web-vitals';
import type { Client } from '@tally/core';
import { safe } from '../guard.js';

// A Metric without name, delta and entries is exactly the metadata sent (smaller than picking the
// four fields one by one); this stops compiling if web-vitals ever adds a field.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
true satisfies Same<keyof Omit<Metric, 'name' | 'delta' | 'entries'>, 'value' | 'rating' | 'id' | 'navigationType'>;

/**
 * LCP, INP, CLS, FCP, TTFB → `web_vital` events, feature = metric name, metadata
 * {value, rating, id, navigationType}. web-vitals' observers cannot be removed, so a stopped or
 * consent-denied client simply ignores their reports through `active`.
 */
export function trackVitals(client: Pick<Client, 'track'>, active: () => boolean): void {
  const report = safe(({ name, delta, entries, ...metadata }: Metric) => {
    if (active()) client.track('web_vital', name, metadata);
  });
  for (const on of [onLCP, onINP, onCLS, onFCP, onTTFB]) on(report);
}
