import { onCLS, onFCP, onINP, onLCP, onTTFB, type Metric } from 'web-vitals';
import type { Client } from '@tally/core';
import { safe } from '../guard.js';

/**
 * LCP, INP, CLS, FCP, TTFB → `web_vital` events, feature = metric name, metadata
 * {value, rating, id, navigationType}. web-vitals' observers cannot be removed, so a stopped or
 * consent-denied client simply ignores their reports through `active`.
 */
export function trackVitals(client: Pick<Client, 'track'>, active: () => boolean): void {
  const report = safe(({ name, value, rating, id, navigationType }: Metric) => {
    if (active()) client.track('web_vital', name, { value, rating, id, navigationType });
  });
  for (const on of [onLCP, onINP, onCLS, onFCP, onTTFB]) on(report);
}
