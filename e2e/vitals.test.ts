import type { StoredEvent } from '@tally/protocol';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { setupE2E } from './support/harness.js';
import { waitForEvents } from './support/event-log.js';
import { sdkLoaded } from './support/page-probes.js';
import { BLANK_PATH } from './support/static-server.js';
import { sleep } from './support/wait.js';

const e2e = setupE2E();
const METRICS = ['CLS', 'FCP', 'INP', 'LCP', 'TTFB'];

/** The last report of each metric, by name: {value, rating, navigationType}. */
function lastReports(events: StoredEvent[]): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const e of events) {
    const { value, rating, navigationType } = e.metadata as Record<string, unknown>;
    out[e.feature!] = { value, rating, navigationType };
  }
  return out;
}

async function slowClick(page: Page, ms: number): Promise<void> {
  await page.evaluate((ms) => (document.getElementById('slow')!.dataset.ms = String(ms)), ms);
  await page.click('#slow');
}

/**
 * The SDK measures vitals itself (web-vitals would be a third of the script's size budget). Its
 * reference is web-vitals: the test page runs both, and web-vitals' reports reach the collector as
 * `reference` events through the same SDK, so both sets are compared as stored.
 */
describe('web vitals, measured by the SDK and by web-vitals in the same page', () => {
  it('agree on FCP, LCP, CLS, INP and TTFB: value, rating and navigation type', async () => {
    const app = e2e.useApp('vitals');
    const page = await e2e.openPage('/__e2e/vitals');
    // A second, larger LCP candidate, then layout shifts: two 100 ms apart (one session window),
    // one 1.5 s later (a new window).
    await page.evaluate(() => (window as unknown as { growLcp(): void }).growLcp());
    await sleep(300);
    const shift = (px: number) => page.evaluate((px) => (window as unknown as { shiftContent(px: number): void }).shiftContent(px), px);
    await shift(120);
    await sleep(100);
    await shift(60);
    await sleep(1500);
    await shift(30);
    await sleep(300);
    // Interactions of different lengths: INP is the slowest of so few.
    await slowClick(page, 120);
    await slowClick(page, 260);
    await page.keyboard.press('a');
    await slowClick(page, 60);
    await sleep(300);
    // Hidden: both report CLS and INP, and the SDK beacons what is waiting.
    await page.goto(`${e2e.demo.url}${BLANK_PATH}`);

    const ours = await waitForEvents(e2e.collector.dataDir, app, 'five web_vital', (e) => e.event_type === 'web_vital', 5);
    const reference = await waitForEvents(e2e.collector.dataDir, app, 'five reference', (e) => e.event_type === 'reference', 5);
    await sleep(500); // anything reported twice would be in by now
    const stored = await waitForEvents(e2e.collector.dataDir, app, 'all', () => true);
    const oursNow = stored.filter((e) => e.event_type === 'web_vital');
    const referenceNow = stored.filter((e) => e.event_type === 'reference');
    expect(ours.length).toBeGreaterThanOrEqual(5);
    expect(reference.length).toBeGreaterThanOrEqual(5);

    const mine = lastReports(oursNow);
    const theirs = lastReports(referenceNow);
    expect(Object.keys(mine).sort()).toEqual(METRICS);
    expect(mine).toEqual(theirs);
    // The page did what it meant to: two shift windows, a slow interaction, a navigation.
    expect(mine.CLS!.value).toBeGreaterThan(0);
    expect(mine.INP!.value).toBeGreaterThanOrEqual(260);
    expect(mine.FCP!.navigationType).toBe('navigate');
    // Without reportAllChanges web-vitals reports each metric once here; so does the SDK, each
    // with one stable id.
    expect(oursNow.map((e) => e.feature).sort()).toEqual(METRICS);
    expect(new Set(oursNow.map((e) => (e.metadata as { id: string }).id)).size).toBe(5);
  });

  it('agree after a reload (navigation type, TTFB, FCP) when the visitor never interacts', async () => {
    const app = e2e.useApp('vitals-reload');
    const page = await e2e.openPage('/__e2e/vitals');
    await page.reload();
    await sdkLoaded(page);
    await sleep(300);
    await page.goto(`${e2e.demo.url}${BLANK_PATH}`);

    // The reloaded page's reports: navigationType reload. No interaction → no INP from either.
    const isReload = (e: StoredEvent) => (e.metadata as { navigationType?: string } | undefined)?.navigationType === 'reload';
    await waitForEvents(e2e.collector.dataDir, app, 'four reload web_vital', (e) => e.event_type === 'web_vital' && isReload(e), 4);
    await waitForEvents(e2e.collector.dataDir, app, 'four reload reference', (e) => e.event_type === 'reference' && isReload(e), 4);
    await sleep(500);
    const stored = await waitForEvents(e2e.collector.dataDir, app, 'all', () => true);
    const mine = lastReports(stored.filter((e) => e.event_type === 'web_vital' && isReload(e)));
    const theirs = lastReports(stored.filter((e) => e.event_type === 'reference' && isReload(e)));
    expect(Object.keys(mine).sort()).toEqual(['CLS', 'FCP', 'LCP', 'TTFB']);
    expect(mine).toEqual(theirs);
  });
});
