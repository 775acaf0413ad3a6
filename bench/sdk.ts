import { readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { burstRun, pacedRun, startPacedStub, type PacedSdk } from './sdk-paced.js';
import { queueWriteCost } from './sdk-queue.js';
import { runAsScript } from './as-script.js';
import { num } from './knobs.js';

/**
 * Browser SDK benchmark (issues 3 and 12): bundle sizes; Tally beside @amplitude/analytics-browser
 * and posthog-js (their published script bundles) in the same Chromium, paced and burst
 * (bench/sdk-paced.ts); and the main-thread cost of one queue write at 0, 100 and 1,000 queued
 * (bench/sdk-queue.ts). Knobs (env): BENCH_SDK_PACED_CALLS (300), BENCH_SDK_RUNS (3 paced runs per
 * SDK), BENCH_SDK_CALLS (10000 burst calls), BENCH_SDK_BURST_RUNS (2), BENCH_SDK_QUEUE_WRITES (30).
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const PACED_CALLS = num('BENCH_SDK_PACED_CALLS', 300, 1);
const PACED_RUNS = num('BENCH_SDK_RUNS', 3, 1);
const BURST_CALLS = num('BENCH_SDK_CALLS', 10_000, 1);
const BURST_RUNS = num('BENCH_SDK_BURST_RUNS', 2, 1);

/**
 * A workspace package's published ESM file, read from its package.json `exports` rather than
 * resolved: this process runs with the `tally-source` condition, which would yield the TypeScript.
 */
function publishedEsm(pkg: string): string {
  let dir = dirname(require.resolve(pkg));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { exports: Record<string, { import: { default: string } }> };
  return join(dir, manifest.exports['.']!.import.default);
}

function sizeOf(file: string) {
  const bytes = readFileSync(file);
  return { file: file.replace(ROOT + '/', ''), bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
}

export function bundleSizes() {
  return {
    'core ESM (@tally/core, dist/index.js)': sizeOf(publishedEsm('@tally/core')),
    'browser ESM (@tally/browser, dist/index.js; core not inlined)': sizeOf(publishedEsm('@tally/browser')),
    'script-tag IIFE (everything inlined, served as /sdk.js)': sizeOf(require.resolve('@tally/browser/tally.global.js')),
    'posthog-js script-tag build (dist/array.js), for comparison': sizeOf(require.resolve('posthog-js/dist/array.js')),
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;
const round = (x: number) => Math.round(x * 100) / 100;

export async function run(): Promise<Record<string, unknown>> {
  const sizes = bundleSizes();
  const stub = await startPacedStub();
  const browser = await chromium.launch({
    executablePath: process.env.TALLY_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'],
  });
  const sdks = ['tally', 'amplitude', 'posthog'] as const;
  try {
    // Paced: runs alternate, order rotated, so load on the shared machine hits every SDK alike.
    const paced: Record<PacedSdk, Array<Awaited<ReturnType<typeof pacedRun>>>> = { empty: [], tally: [], amplitude: [], posthog: [] };
    const order: PacedSdk[] = ['empty', ...sdks];
    for (let r = 0; r < PACED_RUNS; r++) {
      for (let k = 0; k < order.length; k++) {
        const sdk = order[(k + r) % order.length]!;
        paced[sdk].push(await pacedRun(browser, stub, sdk, PACED_CALLS));
      }
    }
    const emptyMain = median(paced.empty.map((x) => x.mainUs));
    const pacedOut: Record<string, unknown> = { empty_page_main_thread_us_per_call: round(emptyMain) };
    for (const sdk of sdks) {
      const runs = paced[sdk];
      const all = runs.flatMap((x) => x.t);
      pacedOut[sdk] = {
        median_us_per_call: round(median(all)),
        p95_us_per_call: round(quantile(all, 0.95)),
        amortized_main_thread_us_per_event: round(median(runs.map((x) => x.mainUs)) - emptyMain),
        amortized_runs_us: runs.map((x) => round(x.mainUs - emptyMain)),
        delivered_per_run: runs.map((x) => x.delivered),
        precise_timer: runs.every((x) => x.isolated),
      };
    }
    const t = pacedOut.tally as { amortized_main_thread_us_per_event: number };
    const a = pacedOut.amplitude as { amortized_main_thread_us_per_event: number };
    pacedOut.tally_over_amplitude_amortized = round(t.amortized_main_thread_us_per_event / a.amortized_main_thread_us_per_event);

    const burst: Record<string, unknown[]> = { tally: [], amplitude: [], posthog: [] };
    for (let r = 0; r < BURST_RUNS; r++) for (const sdk of sdks) burst[sdk]!.push(await burstRun(browser, stub, sdk, BURST_CALLS));

    const queueWrites = await queueWriteCost(browser, stub.origin, [0, 100, 1000], num('BENCH_SDK_QUEUE_WRITES', 30, 1), 3);
    const version = (p: string) => (JSON.parse(readFileSync(require.resolve(`${p}/package.json`), 'utf8')) as { version: string }).version;
    return {
      sizes_gzip_bytes: sizes,
      chromium: browser.version(),
      packages: { 'posthog-js': version('posthog-js'), '@amplitude/analytics-browser': version('@amplitude/analytics-browser') },
      paced: { method: `${PACED_CALLS} calls 25 ms apart, ${PACED_RUNS} runs per SDK, fresh context each, order rotated`, ...pacedOut },
      burst: { method: `${BURST_CALLS} calls in blocks of 100 per task, ${BURST_RUNS} runs`, ...burst },
      queue_write_main_thread: {
        method: 'Chromium main-thread task time per persisted track() (CDP TaskDuration), offline, 30 writes 100 ms apart, median of 3 pages; events ≈ 400 B each',
        ...queueWrites,
      },
    };
  } finally {
    await browser.close();
    await new Promise<void>((r) => stub.server.close(() => r()));
  }
}

runAsScript(import.meta.url, run);
