import type { Page } from 'playwright-core';
import { indexedDbValue } from './page-probes.js';

/** The part of the page's `window.tally` the tests call directly. */
export interface TallyGlobal {
  track(type: string, feature?: string, metadata?: Record<string, unknown>): void;
  flush(): Promise<void>;
}

/** Creates `count` action events in the page, feature `feature`, `metadata.i` = 0..count-1. */
export function trackMany(page: Page, feature: string, count = 1): Promise<void> {
  return page.evaluate(
    ([feature, count]) => {
      const tally = (window as unknown as { tally: TallyGlobal }).tally;
      for (let i = 0; i < count; i++) tally.track('action', feature, { i });
    },
    [feature, count] as const,
  );
}

/** `await tally.flush()` in the page. */
export function flushSdk(page: Page): Promise<void> {
  return page.evaluate(() => (window as unknown as { tally: TallyGlobal }).tally.flush());
}

/**
 * Events waiting in the SDK's shared IndexedDB queue: database `tally`, store `kv`, one record per
 * event; the meta record `tally.c` (`{h, t, n, dropped, reportId}`) counts them in `n`.
 */
export async function queuedInIdb(page: Page): Promise<number> {
  const meta = (await indexedDbValue(page, 'tally', 'kv', 'tally.c')) as { n?: number } | undefined;
  return meta?.n ?? 0;
}
