import { describe, expect, it } from 'vitest';
import { eventsOf, expectExactlyOnce, waitForEvents } from './support/event-log.js';
import { setupE2E } from './support/harness.js';
import { sdkLoaded } from './support/page-probes.js';
import { flushSdk, trackMany } from './support/sdk.js';
import { waitFor } from './support/wait.js';

const e2e = setupE2E();

/**
 * Events waiting in the localStorage tier: one key per event (`tally:tally.e<seq>`), counted by the
 * meta record `tally:tally.c` (the same layout as in IndexedDB); never one big value.
 */
const queuedInLocalStorage = (page: import('playwright-core').Page) =>
  page.evaluate(() => {
    const n = (JSON.parse(localStorage.getItem('tally:tally.c') ?? 'null') as { n?: number } | null)?.n ?? 0;
    const keys = Object.keys(localStorage).filter((k) => k.startsWith('tally:tally.e')).length;
    if (keys !== n) throw new Error(`localStorage holds ${keys} event keys, its meta record says ${n}`);
    return n;
  });

describe('storage fallback in a browser whose IndexedDB refuses', () => {
  it('keeps the queue in localStorage instead, across an offline reload, and delivers it once', async () => {
    const app = e2e.useApp('no-idb');
    const context = await e2e.newContext();
    // As in a private mode or a broken profile: every open throws (the page's own code would see it too).
    await context.addInitScript(() => {
      IDBFactory.prototype.open = () => {
        throw new DOMException('IndexedDB is disabled', 'InvalidStateError');
      };
    });
    const errors: string[] = [];
    const page = await context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${e2e.demo.url}/app`);
    await sdkLoaded(page);
    await waitForEvents(e2e.collector.dataDir, app, 'page view', (e) => e.event_type === 'page_view');

    await context.setOffline(true);
    await trackMany(page, 'no_idb', 20);
    await waitFor('20 events in localStorage', async () => (await queuedInLocalStorage(page)) >= 20);
    await expect(page.reload()).rejects.toThrow(/ERR_INTERNET_DISCONNECTED/);
    await context.setOffline(false);
    await page.goto(`${e2e.demo.url}/app`);
    await sdkLoaded(page);

    await waitForEvents(e2e.collector.dataDir, app, '20 events from localStorage', (e) => e.feature === 'no_idb', 20);
    await waitFor('the localStorage queue to drain', async () => (await queuedInLocalStorage(page)) === 0);
    await flushSdk(page);
    expectExactlyOnce((await eventsOf(e2e.collector.dataDir, app)).filter((e) => e.feature === 'no_idb'), 20);
    // The host page never saw the SDK's storage trouble.
    expect(errors).toEqual([]);
  });
});
