import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startChromiumProcess, type ChromiumProcess } from './support/chromium-process.js';
import { eventsOf, expectExactlyOnce, waitForEvents } from './support/event-log.js';
import { setupE2E } from './support/harness.js';
import { sdkLoaded } from './support/page-probes.js';
import { flushSdk, queuedInIdb, trackMany } from './support/sdk.js';
import { waitFor } from './support/wait.js';

const e2e = setupE2E();

/**
 * The browser itself dies: Chromium is SIGKILLed (no unload, no pagehide, no beacon) while 40
 * events wait offline in IndexedDB. The next start on the same profile must deliver each once.
 */
describe('delivery across a browser crash', () => {
  it('delivers events queued before Chromium was killed, once it starts again on the same profile', async () => {
    const app = e2e.useApp('crash');
    const profile = await mkdtemp(join(tmpdir(), 'tally-profile-'));
    let chromium: ChromiumProcess | undefined;
    try {
      chromium = await startChromiumProcess(profile);
      const page = await chromium.context.newPage();
      await page.goto(`${e2e.demo.url}/app`);
      await sdkLoaded(page);
      await waitForEvents(e2e.collector.dataDir, app, 'page view', (e) => e.event_type === 'page_view');

      await chromium.context.setOffline(true);
      await trackMany(page, 'before_crash', 40);
      await waitFor('40 events in IndexedDB', async () => (await queuedInIdb(page)) >= 40);
      await chromium.kill();
      chromium = undefined;
      expect((await eventsOf(e2e.collector.dataDir, app)).filter((e) => e.feature === 'before_crash')).toEqual([]);

      chromium = await startChromiumProcess(profile);
      const again = await chromium.context.newPage();
      await again.goto(`${e2e.demo.url}/app`);
      await sdkLoaded(again);
      await waitForEvents(e2e.collector.dataDir, app, '40 events from before the crash', (e) => e.feature === 'before_crash', 40);
      await waitFor('the IndexedDB queue to drain', async () => (await queuedInIdb(again)) === 0);
      await flushSdk(again);
      const all = (await eventsOf(e2e.collector.dataDir, app)).filter((e) => e.feature === 'before_crash');
      expect(all).toHaveLength(40);
      expectExactlyOnce(all, 40);
    } finally {
      await chromium?.kill();
      await rm(profile, { recursive: true, force: true });
    }
  }, 120_000);
});
