import { describe, expect, it } from 'vitest';
import { setupE2E } from './support/harness.js';
import { duplicateIds, eventsOf, waitForEvents } from './support/event-log.js';
import { recordIngestRequests, sdkLoaded } from './support/page-probes.js';
import { flushSdk, queuedInIdb, trackMany as track } from './support/sdk.js';
import { waitFor } from './support/wait.js';

const e2e = setupE2E();

describe('two tabs sharing one IndexedDB queue', () => {
  it('stores every event once and sends no event twice', async () => {
    const app = e2e.useApp('tabs');
    const context = await e2e.newContext();
    const requests = recordIngestRequests(context, e2e.collector.url);
    const [a, b] = [await context.newPage(), await context.newPage()];
    await Promise.all([a.goto(`${e2e.demo.url}/app`), b.goto(`${e2e.demo.url}/app/settings`)]);
    await Promise.all([sdkLoaded(a), sdkLoaded(b)]);

    await waitForEvents(e2e.collector.dataDir, app, 'both page views', (e) => e.event_type === 'page_view', 2);

    // Both tabs write into the shared queue while offline; going online wakes both at the same
    // moment, so they race to drain the same 60 events.
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

    // The collector's deduplication is only the backstop: the tabs take turns, so no event id
    // travels twice (Web Locks in Chromium).
    const sentIds = requests.filter((r) => r.status === 200).flatMap((r) => r.eventIds);
    expect(duplicateIds(sentIds.map((event_id) => ({ event_id })))).toEqual([]);
    expect(new Set(sentIds)).toEqual(new Set(stored.map((e) => e.event_id)));
  });
});
