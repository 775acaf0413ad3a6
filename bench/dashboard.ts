import { chromium, type Page } from 'playwright-core';
import { cpuMs, KEY, startServer } from './rollup.js';
import { runAsScript } from './as-script.js';

/**
 * Dashboard speed (issue 13): time from navigation until the overview is fully rendered (four cards,
 * the chart, all nine breakdown tables) in Chromium, for the 90- and 365-day ranges, on a data dir
 * made by `BENCH_KEEP=1 pnpm bench rollup` (90 days × 150,000 events). Alongside, the same API
 * requests fired in parallel from Node — the data cost — so the page's own overhead is the ratio.
 * Each range gets a freshly started collector: the first navigation, right after it answers, is the
 * cold figure (`cold_first_ms`: the first overview after a restart, its background warmers still at
 * work); the following BENCH_DASH_RUNS (5), once the warmer's first round is done, are the warm
 * ones (`warm_median_ms`: answers cached until a day changes). Beside each, the collector's CPU time
 * over the navigation. A data dir kept by an older collector (no breakdown index) is indexed by the
 * collector in the background after its first start: start it once (`pnpm start` with its
 * TALLY_DATA_DIR) until it logs "breakdown indexes built", or the cold figure reads rows.
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
    `breakdowns?by=${dims.join(',')}&from=${from}&to=${today}&limit=10`,
    `breakdowns?by=${dims.join(',')}&from=${prevFrom}&to=${prevTo}&users=false`,
  ];
  const t0 = performance.now();
  await Promise.all(paths.map(async (p) => (await fetch(`${base}/api/analytics/${p}`, { headers: { 'x-dash-key': KEY } })).arrayBuffer()));
  return performance.now() - t0;
}

export async function run(): Promise<Record<string, unknown>> {
  const dir = process.env.BENCH_DASH_DIR;
  if (!dir) throw new Error('set BENCH_DASH_DIR to a data dir kept by `BENCH_KEEP=1 pnpm bench rollup` (its ninety-days folder)');
  const browser = await chromium.launch({ executablePath: process.env.TALLY_CHROMIUM ?? '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  const out: Record<string, unknown> = {};
  try {
    for (const [range, days] of [
      ['90d', 90],
      ['365d', 365],
    ] as const) {
      // A fresh collector per range, so the first navigation meets cold query caches (only the
      // start-up warming of weekly user unions has run), as on the first visit after a restart.
      const started = performance.now();
      let warmAt: number | undefined;
      const { base, child, stop } = await startServer({ TALLY_DATA_DIR: dir, TALLY_DASH_KEY: KEY, TALLY_RATE_LIMIT: '0', TALLY_LOG_LEVEL: 'info' }, (chunk) => {
        if (warmAt === undefined && chunk.includes('breakdown caches warm')) warmAt = performance.now();
      });
      const upSeconds = (performance.now() - started) / 1000;
      try {
        const info = (await (await fetch(`${base}/api/analytics/info`, { headers: { 'x-dash-key': KEY } })).json()) as { today: string };
        const context = await browser.newContext({ viewport: { width: 1360, height: 1000 } });
        // Signed in through the session endpoint (the cookie lands in the browser context), so the
        // first page the browser loads is the measured overview itself.
        const signIn = await context.request.post(`${base}/dashboard/api/session`, { data: { key: KEY } });
        if (!signIn.ok()) throw new Error(`sign-in answered ${signIn.status()}`);
        const page = await context.newPage();
        const first: number[] = [];
        const times: number[] = [];
        const cpu: number[] = [];
        for (let i = 0; i <= RUNS; i++) {
          // The warm runs wait for the collector's background warmer (query/warm.ts) to finish its
          // first round, as a collector that has been up for a few minutes has.
          while (i === 1 && warmAt === undefined) await new Promise((r) => setTimeout(r, 500));
          const c0 = cpuMs(child.pid) ?? Number.NaN;
          await page.goto(`${base}/dashboard?range=${range}`, { waitUntil: 'commit', timeout: 600_000 });
          await rendered(page);
          // The collector's CPU time over the navigation (the cold one includes what its start-up
          // warmers did meanwhile): on a loaded machine the steadier guide.
          cpu.push((cpuMs(child.pid) ?? Number.NaN) - c0);
          // Milliseconds since this navigation started, as the page's own clock has it.
          const ms = await page.evaluate(() => (globalThis as any).performance.now() as number);
          (i === 0 ? first : times).push(ms);
        }
        const api: number[] = [];
        for (let i = 0; i < RUNS; i++) api.push(await apiOnly(base, info.today, days));
        out[`overview_${range}`] = {
          collector_up_s: Number(upSeconds.toFixed(1)),
          warmer_done_s_after_up: Number(((warmAt! - started) / 1000 - upSeconds).toFixed(1)),
          cold_first_ms: Math.round(first[0]!),
          cold_first_collector_cpu_ms: Math.round(cpu[0]!),
          warm_median_ms: Math.round(median(times)),
          warm_collector_cpu_median_ms: Math.round(median(cpu.slice(1))),
          warm_runs: times.map(Math.round),
          api_parallel_warm_median_ms: Math.round(median(api)),
          page_over_api: Number((median(times) / median(api)).toFixed(2)),
        };
        process.stderr.write(`bench dashboard: ${range} ${JSON.stringify(out[`overview_${range}`])}\n`);
        await context.close();
      } finally {
        // The next collector opens the same data dir: wait until this one has let go of it.
        await stop();
      }
    }
    return out;
  } finally {
    await browser.close();
  }
}

runAsScript(import.meta.url, run);
