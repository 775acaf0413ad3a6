import type { BrowserContext } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { setupE2E } from './support/harness.js';
import { duplicateIds, eventsOf, waitForEvents } from './support/event-log.js';
import { recordIngestRequests, sdkLoaded } from './support/page-probes.js';
import { flushSdk, queuedInIdb, trackMany as track } from './support/sdk.js';
import { waitFor } from './support/wait.js';

const e2e = setupE2E();

/**
 * Two tabs write 30 events each into the shared queue while offline; going online wakes both at
 * the same moment, so they race to drain the same 60 events. Returns what was stored and the ids
 * of every acknowledged request.
 */
async function raceTwoTabs(context: BrowserContext, app: string) {
  const requests = recordIngestRequests(context, e2e.collector.url);
  const [a, b] = [await context.newPage(), await context.newPage()];
  await Promise.all([a.goto(`${e2e.demo.url}/app`), b.goto(`${e2e.demo.url}/app/settings`)]);
  await Promise.all([sdkLoaded(a), sdkLoaded(b)]);
  await waitForEvents(e2e.collector.dataDir, app, 'both page views', (e) => e.event_type === 'page_view', 2);

  await context.setOffline(true);
  await Promise.all([track(a, 'tab_a', 30), track(b, 'tab_b', 30)]);
  await waitFor('60 events in the shared IndexedDB queue', async () => (await queuedInIdb(a)) >= 60);
  await context.setOffline(false);
  await waitForEvents(e2e.collector.dataDir, app, 'tab A events', (e) => e.feature === 'tab_a', 30);
  await waitForEvents(e2e.collector.dataDir, app, 'tab B events', (e) => e.feature === 'tab_b', 30);
  await waitFor('the shared queue to drain', async () => (await queuedInIdb(a)) === 0);
  await Promise.all([a, b].map(flushSdk));

  const stored = await eventsOf(e2e.collector.dataDir, app);
  expect(duplicateIds(stored)).toEqual([]);
  expect(stored.filter((e) => e.feature === 'tab_a')).toHaveLength(30);
  expect(stored.filter((e) => e.feature === 'tab_b')).toHaveLength(30);
  expect(stored.filter((e) => e.event_type === 'page_view')).toHaveLength(2);
  const sentIds = requests.filter((r) => r.status === 200).flatMap((r) => r.eventIds);
  return { stored, sentIds };
}

describe('two tabs sharing one IndexedDB queue', () => {
  it('stores every event once and sends no event twice', async () => {
    const app = e2e.useApp('tabs');
    const { stored, sentIds } = await raceTwoTabs(await e2e.newContext(), app);
    // The collector's deduplication is only the backstop: the tabs take turns, so no event id
    // travels twice (Web Locks in Chromium).
    expect(duplicateIds(sentIds.map((event_id) => ({ event_id })))).toEqual([]);
    expect(new Set(sentIds)).toEqual(new Set(stored.map((e) => e.event_id)));
  });

  it('still stores every event exactly once where Web Locks are missing (no lock: the collector deduplicates)', async () => {
    const app = e2e.useApp('tabs-nolocks');
    const context = await e2e.newContext();
    // As in a browser without the Web Locks API (Safari before 15.4, Firefox before 96):
    // `navigator.locks` is undefined in every page. Since issue 12 the SDK has no localStorage
    // lease for this case (its bytes paid for ranged IndexedDB reads): both tabs may drain the
    // same events, and the collector's event_id deduplication keeps every count exact.
    await context.addInitScript(() => {
      Object.defineProperty(Navigator.prototype, 'locks', { get: () => undefined });
    });
    const { stored, sentIds } = await raceTwoTabs(context, app);
    // Every event was sent and stored once (raceTwoTabs checks the log for duplicates), and
    // nothing was sent that was not stored.
    expect(new Set(sentIds)).toEqual(new Set(stored.map((e) => e.event_id)));
    expect(await context.pages()[0]!.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('tally:lock:')))).toEqual([]);
  });
});
