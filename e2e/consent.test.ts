import { describe, expect, it } from 'vitest';
import { setupE2E } from './support/harness.js';
import { eventsOf } from './support/event-log.js';
import { indexedDbCounts, indexedDbKeys, recordIngestRequests, sdkLoaded } from './support/page-probes.js';
import { flushSdk as flush, queuedInIdb, trackMany as track } from './support/sdk.js';
import { BLANK_PATH } from './support/static-server.js';
import { sleep, waitFor } from './support/wait.js';

const e2e = setupE2E();

/** Longer than the SDK's 5 s maximum wait before a flush: anything it meant to send has been sent. */
const LONGER_THAN_MAX_WAIT_MS = 6_000;

describe('consent', () => {
  it('sends nothing and stores nothing in IndexedDB while consent is denied', async () => {
    const app = e2e.useApp('denied');
    const context = await e2e.newContext();
    // The visitor denied on an earlier visit; the demo replays that choice before the SDK starts.
    await context.addInitScript(() => localStorage.setItem('tally-demo-consent', 'denied'));
    const requests = recordIngestRequests(context, e2e.collector.url);
    const page = await context.newPage();

    await page.goto(`${e2e.demo.url}/pricing`);
    await sdkLoaded(page);
    await page.click('#choose-pro');
    await page.goto(`${e2e.demo.url}/app`);
    await sdkLoaded(page);
    await page.click('#new-note');
    await page.click('a[href="/app/reports"]');
    await page.click('#throw-error');
    await track(page, 'explicit_call', 3);
    await flush(page);
    await sleep(LONGER_THAN_MAX_WAIT_MS);
    // Leaving the page would trigger the unload path, if anything were waiting.
    await page.goto(`${e2e.demo.url}${BLANK_PATH}`);
    await sleep(1_000);

    expect(requests).toEqual([]);
    expect(await eventsOf(e2e.collector.dataDir, app)).toEqual([]);
    // No event and no identifier anywhere in IndexedDB. The one thing the SDK may keep is the
    // refusal itself (`tally.optout`), so that a later page load cannot start tracking again.
    const idb = await indexedDbCounts(page);
    for (const [db, stores] of Object.entries(idb)) {
      for (const [store, n] of Object.entries(stores)) if (store !== 'kv') expect(n, `${db}.${store}`).toBe(0);
    }
    expect((await indexedDbKeys(page, 'tally', 'kv')).filter((k) => k !== 'tally.optout')).toEqual([]);
    // Nor in localStorage (the anonymous id would live there): only the demo's own consent record.
    expect(await page.evaluate(() => Object.keys(localStorage))).toEqual(['tally-demo-consent']);
  });

  it('wipes the queued events when the visitor withdraws consent, and never sends them', async () => {
    const app = e2e.useApp('withdraw');
    const context = await e2e.newContext();
    const requests = recordIngestRequests(context, e2e.collector.url);
    const page = await context.newPage();
    await page.goto(`${e2e.demo.url}/app`);
    await sdkLoaded(page);
    await waitFor('the page view to be sent', () => requests.some((r) => r.status === 200));
    const sentBefore = requests.length;

    // Offline, so the events are certainly still queued when consent is withdrawn.
    await context.setOffline(true);
    await track(page, 'before_withdrawal', 10);
    await waitFor('10 events in IndexedDB', async () => (await queuedInIdb(page)) >= 10);
    await page.click('#consent-deny');
    await waitFor('the IndexedDB queue to be emptied', async () => (await queuedInIdb(page)) === 0);
    await track(page, 'after_withdrawal', 5);

    await context.setOffline(false);
    await flush(page);
    await sleep(LONGER_THAN_MAX_WAIT_MS);
    expect(requests.slice(sentBefore)).toEqual([]);
    const stored = await eventsOf(e2e.collector.dataDir, app);
    expect(stored.filter((e) => e.feature === 'before_withdrawal' || e.feature === 'after_withdrawal')).toEqual([]);
    expect((await queuedInIdb(page))).toBe(0);

    // Granting again resumes tracking from that moment on, nothing from the denied period.
    await page.click('#consent-grant');
    await track(page, 'after_regrant', 1);
    await flush(page);
    await waitFor('the event tracked after granting again', async () =>
      (await eventsOf(e2e.collector.dataDir, app)).some((e) => e.feature === 'after_regrant'),
    );
    const features = new Set((await eventsOf(e2e.collector.dataDir, app)).map((e) => e.feature));
    expect(features.has('before_withdrawal') || features.has('after_withdrawal')).toBe(false);
  });
});
