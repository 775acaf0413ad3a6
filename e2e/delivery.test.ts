import { describe, expect, it } from 'vitest';
import { setupE2E } from './support/harness.js';
import { eventsOf, expectExactlyOnce, waitForEvents } from './support/event-log.js';
import { recordIngestRequests, sdkLoaded } from './support/page-probes.js';
import { flushSdk, queuedInIdb, trackMany } from './support/sdk.js';
import { BLANK_PATH } from './support/static-server.js';
import { waitFor } from './support/wait.js';

const e2e = setupE2E();

describe('delivery: nothing accepted is lost, nothing is stored twice', () => {
  it('delivers 50 events created offline exactly once, across a reload while still offline', async () => {
    const app = e2e.useApp('offline');
    const context = await e2e.newContext();
    const page = await context.newPage();
    await page.goto(`${e2e.demo.url}/app`);
    await sdkLoaded(page);
    await waitForEvents(e2e.collector.dataDir, app, 'page view', (e) => e.event_type === 'page_view');

    await context.setOffline(true);
    await trackMany(page, 'offline_note', 50);
    // Durable before the page goes away: all 50 are in IndexedDB, none has reached the collector.
    await waitFor('50 events in IndexedDB', async () => (await queuedInIdb(page)) >= 50);
    expect((await eventsOf(e2e.collector.dataDir, app)).filter((e) => e.feature === 'offline_note')).toEqual([]);

    // Reloading offline cannot even fetch the page: the tab's JavaScript (and memory) is gone.
    await expect(page.reload()).rejects.toThrow(/ERR_INTERNET_DISCONNECTED/);

    await context.setOffline(false);
    await page.goto(`${e2e.demo.url}/app`);
    await sdkLoaded(page);
    const stored = await waitForEvents(e2e.collector.dataDir, app, '50 offline events', (e) => e.feature === 'offline_note', 50);
    await waitFor('the IndexedDB queue to drain', async () => (await queuedInIdb(page)) === 0);
    await flushSdk(page);
    const all = (await eventsOf(e2e.collector.dataDir, app)).filter((e) => e.feature === 'offline_note');
    expect(all).toHaveLength(50);
    expectExactlyOnce(all, 50);
    expect(stored).toHaveLength(50);
  });

  it('delivers events created while the collector is down once it is back on the same port', async () => {
    const app = e2e.useApp('outage');
    const context = await e2e.newContext();
    const requests = recordIngestRequests(context, e2e.collector.url);
    const page = await context.newPage();
    await page.goto(`${e2e.demo.url}/app`);
    await sdkLoaded(page);
    await waitForEvents(e2e.collector.dataDir, app, 'page view', (e) => e.event_type === 'page_view');

    await e2e.collector.stop();
    try {
      await trackMany(page, 'outage_note', 30);
      // The SDK must really have met the outage, not merely waited it out.
      await waitFor('a failed send while the collector is down', () => requests.some((r) => r.failure), { timeoutMs: 20_000 });
      expect(await queuedInIdb(page)).toBeGreaterThanOrEqual(30);
    } finally {
      await e2e.collector.start();
    }

    // Retries back off with full jitter (1 s doubling), so the next attempt may be up to ~16 s away.
    const stored = await waitForEvents(e2e.collector.dataDir, app, '30 events after the outage', (e) => e.feature === 'outage_note', 30, 45_000);
    expectExactlyOnce(stored, 30);
    // A collector restart under tsx on a busy 2-core CI machine can take tens of seconds on its own.
  }, 180_000);

  it('delivers an event created right before navigating away, through the unload path', async () => {
    const app = e2e.useApp('unload');
    const context = await e2e.newContext();
    const page = await context.newPage();
    await page.goto(`${e2e.demo.url}/pricing`);
    await sdkLoaded(page);
    await waitForEvents(e2e.collector.dataDir, app, 'page view', (e) => e.event_type === 'page_view');

    // Well inside the 1 s debounce: only the pagehide handler can send it, and the page we go to
    // has no SDK that could pick it up from IndexedDB later.
    await trackMany(page, 'last_words');
    await page.goto(`${e2e.demo.url}${BLANK_PATH}`);

    const [event] = await waitForEvents(e2e.collector.dataDir, app, 'the last event', (e) => e.feature === 'last_words');
    expect(event!.metadata).toEqual({ i: 0 });
    // No page with the SDK was opened after the event was created, so nothing but the unload
    // path can have sent it. (Playwright does not reliably report requests a page makes while it
    // unloads, so the request itself is not inspected.)
    expect(e2e.demo.requests.filter((p) => p !== '/favicon.ico').at(-1)).toBe(BLANK_PATH);
    expect(context.pages().map((p) => new URL(p.url()).pathname)).toEqual([BLANK_PATH]);
  });
});
