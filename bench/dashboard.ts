import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { KEY, startServer } from './rollup.js';

/**
 * Dashboard speed (issue 13): time from navigation until the overview is fully rendered (four cards,
 * the chart, all nine breakdown tables) in Chromium, for the 90- and 365-day ranges, on a data dir
 * made by `BENCH_KEEP=1 pnpm bench rollup` (90 days × 150,000 events). Alongside, the same API
 * requests fired in parallel from Node — the data cost — so the page's own overhead is the ratio.
 *
 *   BENCH_KEEP=1 pnpm bench rollup          # prints "kept": "/tmp/tally-bench-rollup-…"
 *   BENCH_DASH_DIR=/tmp/tally-bench-rollup-…/ninety-days pnpm bench dashboard
 */
const RUNS = Number(process.env.BENCH_DASH_RUNS ?? 5);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

async function rendered(page: Page): Promise<void> {
  // A function, not a string: the dashboard's CSP forbids eval. `globalThis` because bench/ is
  // type-checked without the DOM library.
  await page.waitForFunction(
    () => {
      const d = (globalThis as any).document;
      return (
        d.querySelectorAll('[data-metric]').length === 4 &&
        d.querySelector('#main-chart canvas') !== null &&
        d.querySelectorAll('.tables .table-box').length === 9 &&
        d.querySelectorAll('.tables .loading-state, #view .loading-state').length === 0
      );
    },
    undefined,
    { timeout: 600_000, polling: 'raf' },
  );
}

/** The overview's API requests, all in parallel, as the page makes them. */
async function apiOnly(base: string, today: string, days: number): Promise<number> {
  const from = addDays(today, -(days - 1));
  const prevTo = addDays(from, -1);
  const prevFrom = addDays(from, -days);
  const interval = days > 92 ? 'week' : 'day';
  const dims = ['feature', 'event_type', 'url', 'platform', 'app_version', 'browser', 'os', 'device_type', 'app'];
  const paths = [
    `usage?days=${Math.min(days, 365)}&to=${today}`,
    `usage?days=${Math.min(days, 365)}&to=${prevTo}`,
    `timeseries?metric=active_users&interval=${interval}&from=${from}&to=${today}`,
    `timeseries?metric=active_users&interval=${interval}&from=${prevFrom}&to=${prevTo}`,
    ...dims.flatMap((d) => [`breakdown?by=${d}&from=${from}&to=${today}`, `breakdown?by=${d}&from=${prevFrom}&to=${prevTo}`]),
  ];
  const t0 = performance.now();
  await Promise.all(paths.map(async (p) => (await fetch(`${base}/api/analytics/${p}`, { headers: { 'x-dash-key': KEY } })).arrayBuffer()));
  return performance.now() - t0;
}

export async function run(): Promise<Record<string, unknown>> {
  const dir = process.env.BENCH_DASH_DIR;
  if (!dir) throw new Error('set BENCH_DASH_DIR to a data dir kept by `BENCH_KEEP=1 pnpm bench rollup` (its ninety-days folder)');
  const { base, stop } = await startServer({ TALLY_DATA_DIR: dir, TALLY_DASH_KEY: KEY, TALLY_RATE_LIMIT: '0' });
  const browser = await chromium.launch({ executablePath: process.env.TALLY_CHROMIUM ?? '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  try {
    const info = (await (await fetch(`${base}/api/analytics/info`, { headers: { 'x-dash-key': KEY } })).json()) as { today: string };
    const context = await browser.newContext({ viewport: { width: 1360, height: 1000 } });
    const page = await context.newPage();
    await page.goto(`${base}/dashboard`, { timeout: 600_000 });
    await page.fill('#dash-key', KEY);
    await page.click('form.sign-in button[type=submit]');
    await page.locator('[data-metric="mau"]').waitFor({ timeout: 600_000 });
    // Let the sign-in page's own 30-day overview finish before timing anything.
    await rendered(page);
    const out: Record<string, unknown> = {};
    for (const [range, days] of [
      ['90d', 90],
      ['365d', 365],
    ] as const) {
      const first: number[] = [];
      const times: number[] = [];
      for (let i = 0; i <= RUNS; i++) {
        await page.goto(`${base}/dashboard?range=${range}`, { waitUntil: 'commit', timeout: 600_000 });
        await rendered(page);
        // Milliseconds since this navigation started, as the page's own clock has it.
        const ms = await page.evaluate(() => (globalThis as any).performance.now() as number);
        (i === 0 ? first : times).push(ms);
      }
      const api: number[] = [];
      for (let i = 0; i < RUNS; i++) api.push(await apiOnly(base, info.today, days));
      out[`overview_${range}`] = {
        first_ms: Math.round(first[0]!),
        median_ms: Math.round(median(times)),
        runs: times.map(Math.round),
        api_parallel_median_ms: Math.round(median(api)),
        page_over_api: Number((median(times) / median(api)).toFixed(2)),
      };
      process.stderr.write(`bench dashboard: ${range} ${JSON.stringify(out[`overview_${range}`])}\n`);
    }
    return out;
  } finally {
    await browser.close();
    await stop();
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  run().then(
    (r) => process.stdout.write(`${JSON.stringify(r, null, 2)}\n`),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
