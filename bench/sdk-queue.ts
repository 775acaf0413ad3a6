import type { Browser } from 'playwright-core';

/**
 * Main-thread cost of persisting one event when the IndexedDB queue already holds `n` events.
 * Core stores one record per event (issue 12), so a write should cost the same at any queue
 * length; this measures whether it does. The page is offline so nothing
 * drains; each of `writes` single `track()` calls is its own storage write (100 ms apart). The
 * figure is Chromium's own main-thread task time (CDP `Performance.getMetrics` → `TaskDuration`)
 * over those writes, divided by their number: it includes the structured clone of the value on
 * `put` and of the read on `get`, which run on the main thread, and everything else the page did
 * meanwhile (timers, the debounce), which is why an empty queue is measured as the baseline.
 */
export async function queueWriteCost(browser: Browser, origin: string, sizes: number[], writes: number, runs: number) {
  const out: Record<string, { ms_per_write_runs: number[]; ms_per_write: number; queued_after: number }> = {};
  for (const n of sizes) {
    const perRun: number[] = [];
    let queuedAfter = 0;
    for (let r = 0; r < runs; r++) {
      const context = await browser.newContext();
      try {
        const page = await context.newPage();
        await page.goto(`${origin}/tally.html`);
        await page.waitForFunction("typeof window.tally?.version == 'string'", null, { polling: 50, timeout: 15_000 });
        await context.setOffline(true);
        await page.evaluate(`(async () => {
          for (let i = 0; i < ${n}; i++) window.tally.track('action', 'fill', { i, pad: 'x'.repeat(200) });
          await new Promise((r) => setTimeout(r, 1500));
        })()`);
        const cdp = await context.newCDPSession(page);
        await cdp.send('Performance.enable');
        const taskSeconds = async () =>
          ((await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration')?.value ?? 0) as number;
        const t0 = await taskSeconds();
        await page.evaluate(`(async () => {
          for (let i = 0; i < ${writes}; i++) {
            window.tally.track('action', 'timed', { i, pad: 'x'.repeat(200) });
            await new Promise((r) => setTimeout(r, 100));
          }
          await new Promise((r) => setTimeout(r, 500));
        })()`);
        perRun.push(((await taskSeconds()) - t0) * 1000 / writes);
        // Proof that the writes happened: the stored queue's length.
        queuedAfter = (await page.evaluate(`new Promise((resolve) => {
          const req = indexedDB.open('tally');
          req.onsuccess = () => {
            const get = req.result.transaction('kv').objectStore('kv').get('tally.c');
            get.onsuccess = () => resolve(get.result ? get.result.n : 0);
          };
        })`)) as number;
      } finally {
        await context.close();
      }
    }
    const sorted = [...perRun].sort((a, b) => a - b);
    const round = (x: number) => Math.round(x * 100) / 100;
    out[`queue of ${n}`] = { ms_per_write_runs: perRun.map(round), ms_per_write: round(sorted[sorted.length >> 1]!), queued_after: queuedAfter };
  }
  return out;
}
