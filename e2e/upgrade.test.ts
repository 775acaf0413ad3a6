import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { duplicateIds, eventsOf, expectExactlyOnce, waitForEvents } from './support/event-log.js';
import { REPO_ROOT } from './support/collector-process.js';
import { setupE2E } from './support/harness.js';
import { indexedDbValue, recordIngestRequests, sdkLoaded } from './support/page-probes.js';
import { flushSdk, queuedInIdb, trackMany } from './support/sdk.js';
import { waitFor } from './support/wait.js';

const e2e = setupE2E();

/** SDK 0.1's script tag, built from commit 2e8cba9 (see fixtures/README.md). */
const OLD_BUNDLE = resolve(REPO_ROOT, 'e2e', 'fixtures', 'tally-2e8cba9.global.js');

/** Serves a page loading the old bundle and one loading the current one (the collector's /sdk.js), on the demo origin. */
async function servePages(app: string) {
  const tag = (src: string) =>
    `<!doctype html><title>upgrade</title><script defer src="${src}" data-endpoint="${e2e.collector.url}" data-app="${app}" data-auto="none"></script>`;
  e2e.demo.serve('/__upgrade/old.js', await readFile(OLD_BUNDLE, 'utf8'), 'application/javascript; charset=utf-8');
  e2e.demo.serve('/__upgrade/old', tag('/__upgrade/old.js'), 'text/html; charset=utf-8');
  e2e.demo.serve('/__upgrade/new', tag(`${e2e.collector.url}/sdk.js`), 'text/html; charset=utf-8');
}

/** The old SDK queues 25 events offline and the page closes; returns once they are in its single-value queue. */
async function queueWithOldSdk(context: BrowserContext, queued: (p: Page) => Promise<number>) {
  const old = await context.newPage();
  await old.goto(`${e2e.demo.url}/__upgrade/old`);
  await sdkLoaded(old);
  await context.setOffline(true);
  await trackMany(old, 'queued_by_0.1', 25);
  await waitFor('25 events in the old single-value queue', async () => (await queued(old)) === 25);
  await old.close();
  await context.setOffline(false);
}

/** `tabs` tabs of the current SDK start at the same moment on the same profile; all drain. */
async function upgradeInTabs(context: BrowserContext, app: string, tabs: number) {
  const requests = recordIngestRequests(context, e2e.collector.url);
  const pages: Page[] = [];
  for (let i = 0; i < tabs; i++) pages.push(await context.newPage());
  await Promise.all(pages.map((p) => p.goto(`${e2e.demo.url}/__upgrade/new`)));
  await Promise.all(pages.map(sdkLoaded));
  await waitForEvents(e2e.collector.dataDir, app, 'the 25 old events', (e) => e.feature === 'queued_by_0.1', 25);
  await Promise.all(pages.map(flushSdk));
  expectExactlyOnce((await eventsOf(e2e.collector.dataDir, app)).filter((e) => e.feature === 'queued_by_0.1'), 25);
  // Not only the collector's deduplication: no event was moved twice, so none travelled twice.
  const sent = requests.filter((r) => r.status === 200).flatMap((r) => r.eventIds.map((event_id) => ({ event_id })));
  expect(duplicateIds(sent)).toEqual([]);
  expect(sent).toHaveLength(25);
  return pages[0]!;
}

/** Makes IndexedDB throw on open in every page of `context`, so the SDK falls back to localStorage. */
const refuseIndexedDb = (context: BrowserContext) =>
  context.addInitScript(() => {
    IDBFactory.prototype.open = () => {
      throw new DOMException('IndexedDB is disabled', 'InvalidStateError');
    };
  });

/** Events in SDK 0.1's localStorage queue `tally:tally.q`. */
const oldLocalQueue = (p: Page) =>
  p.evaluate(() => (JSON.parse(localStorage.getItem('tally:tally.q') ?? 'null') as { q?: unknown[] } | null)?.q?.length ?? 0);

describe('upgrade from the single-value queue of SDK 0.1 (commit 2e8cba9)', () => {
  it('IndexedDB: two tabs of the new SDK move the old queue exactly once and deliver every event once', async () => {
    const app = e2e.useApp('upgrade-idb');
    await servePages(app);
    const context = await e2e.newContext();
    const oldQueue = async (p: Page) =>
      ((await indexedDbValue(p, 'tally', 'kv', 'tally.q')) as { q?: unknown[] } | undefined)?.q?.length ?? 0;
    await queueWithOldSdk(context, oldQueue);
    const page = await upgradeInTabs(context, app, 2);
    expect(await indexedDbValue(page, 'tally', 'kv', 'tally.q')).toBeUndefined();
    await waitFor('the new queue to be empty', async () => (await queuedInIdb(page)) === 0);
  });

  it('localStorage (IndexedDB refused): one tab of the new SDK moves `tally:tally.q` exactly once', async () => {
    const app = e2e.useApp('upgrade-ls');
    await servePages(app);
    const context = await e2e.newContext();
    await refuseIndexedDb(context);
    await queueWithOldSdk(context, oldLocalQueue);
    const page = await upgradeInTabs(context, app, 1);
    expect(await page.evaluate(() => localStorage.getItem('tally:tally.q'))).toBeNull();
    await waitFor('the new queue to be empty', async () =>
      page.evaluate(() => !Object.keys(localStorage).some((k) => k.startsWith('tally:tally.e'))),
    );
  });
  // Chromium keeps a copy of localStorage per renderer process and propagates writes to the others
  // asynchronously, unordered with Web Locks: before the fix, a tab granted the flush lock right
  // after the other released it read the moved queue as still unsent and sent all 25 again (1 run
  // in 8). Now the move runs under its own lock, and a Web Lock is held 250 ms after its section
  // (packages/browser/src/lock.ts), so the second tab reads what the first wrote.
  it('localStorage (IndexedDB refused): two tabs move `tally:tally.q` exactly once', async () => {
    const app = e2e.useApp('upgrade-ls2');
    await servePages(app);
    const context = await e2e.newContext();
    await refuseIndexedDb(context);
    await queueWithOldSdk(context, oldLocalQueue);
    await upgradeInTabs(context, app, 2);
  });
});
