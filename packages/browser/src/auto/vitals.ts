import { onCLS, onFCP, onINP, onLCP, onTTFB, type Metric } from 'web-vitals';
import type { Client } from '@tally/core';
import { safe } from '../guard.js';

/**
 * LCP, INP, CLS, FCP, TTFB → `web_vital` events, feature = metric name. web-vitals' observers
 * cannot be removed, so a stopped or consent-denied tracker simply ignores their reports.
 */
export function trackVitals(client: Pick<Client, 'track'>, active: () => boolean): () => void {
  let live = true;
  const report = ({ name, value, rating, id, navigationType }: Metric) => {
    if (live && active()) client.track('web_vital', name, { value, rating, id, navigationType });
  };
  for (const on of [onLCP, onINP, onCLS, onFCP, onTTFB]) on(safe(report));
  return () => {
    live = false;
  };
}
