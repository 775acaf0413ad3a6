import { readFileSync, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser } from 'playwright-core';
import { queueWriteCost } from './sdk-queue.js';

/**
 * Browser SDK benchmark (issue 3): the gzipped size of each bundle, and the main-thread cost of one
 * `track()` call in Chromium beside `posthog.capture()` from the `posthog-js` npm package.
 *
 * What is timed: the synchronous work of the call, in the page, with `performance.now()` around
 * batches of calls (the page is cross-origin isolated, so the timer is precise to 5 µs instead of
 * 100 µs). Between batches the page yields, so each SDK's deferred work (Tally: IndexedDB writes,
 * batching, sending; PostHog: its in-memory request queue) runs as it would in a real page and is
 * not counted. Both SDKs post to a local stub that answers 200. Each run is a fresh browser context.
 * Also the main-thread cost of one queue write at queue sizes 0, 100 and 1000 (bench/sdk-queue.ts).
 * Knobs (env): BENCH_SDK_CALLS (10000 per run), BENCH_SDK_BATCH (100), BENCH_SDK_RUNS (5),
 * BENCH_SDK_QUEUE_WRITES (30).
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const num = (name: string, fallback: number) => {
  const v = process.env[name];
  return v !== undefined && /^\d+$/.test(v) && Number(v) > 0 ? Number(v) : fallback;
};
const CALLS = num('BENCH_SDK_CALLS', 10_000);
const BATCH = num('BENCH_SDK_BATCH', 100);
const RUNS = num('BENCH_SDK_RUNS', 5);
const WARMUP = 500;
const GOAL_US = 20;

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

const ISOLATED = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

/** Serves both SDKs and a page for each, and answers every POST with a 200 acknowledgement. */
async function startStub(): Promise<{ server: Server; origin: string; received: Record<Sdk, number> }> {
  // Events each SDK actually delivered: proof that the calls timed were real captures.
  const received: Record<Sdk, number> = { tally: 0, posthog: 0 };
  const tally = readFileSync(require.resolve('@tally/browser/tally.global.js'));
  const posthog = readFileSync(require.resolve('posthog-js/dist/array.js'));
  let origin = '';
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (req.method === 'POST') {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        let logged = 0;
        try {
          const parsed = JSON.parse(body) as { events?: unknown[]; batch?: unknown[] } | unknown[];
          logged = Array.isArray(parsed) ? parsed.length : (parsed.events ?? parsed.batch ?? [parsed]).length;
        } catch {
          // Not JSON: not an event batch.
        }
        received[path.startsWith('/v1/events') ? 'tally' : 'posthog'] += logged;
        res.writeHead(200, { 'Content-Type': 'application/json', ...ISOLATED });
        res.end(JSON.stringify(path.startsWith('/v1/events') ? { ok: true, logged, duplicates: 0, rejected: [] } : { status: 1 }));
      });
      return;
    }
    const html = (head: string) => {
      res.writeHead(200, { 'Content-Type': 'text/html', ...ISOLATED });
      res.end(`<!doctype html><html><head>${head}</head><body><button id="b">b</button></body></html>`);
    };
    if (path === '/tally.html') return html(`<script src="/tally.js" data-endpoint="${origin}" data-app="bench" data-auto="none"></script>`);
    if (path === '/posthog.html') {
      return html(`<script src="/posthog.js"></script><script>
        posthog.init('phc_bench', { api_host: '${origin}', persistence: 'memory', autocapture: false,
          capture_pageview: false, capture_pageleave: false, disable_session_recording: true,
          advanced_disable_flags: true, advanced_disable_decide: true, disable_surveys: true,
          disable_external_dependency_loading: true, capture_performance: false, disable_compression: true,
          capture_dead_clicks: false, capture_exceptions: false, rageclick: false,
          opt_out_useragent_filter: true, rate_limiting: { events_per_second: 1e9, events_burst_limit: 1e9 } });
      </script>`);
    }
    const js = path === '/tally.js' ? tally : path === '/posthog.js' ? posthog : undefined;
    if (!js) return void res.writeHead(404, ISOLATED).end();
    res.writeHead(200, { 'Content-Type': 'application/javascript', ...ISOLATED });
    res.end(js);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  origin = `http://127.0.0.1:${typeof addr == 'object' && addr ? addr.port : 0}`;
  return { server, origin, received };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;
const round = (x: number) => Math.round(x * 100) / 100;

type Sdk = 'tally' | 'posthog';

/**
 * Runs in the page. Kept as source text: tsx would wrap named functions in a `__name` helper that
 * does not exist in the page.
 */
const IN_PAGE = `async ({ sdk, calls, batch, warmup }) => {
  const call = sdk === 'tally'
    ? (i) => window.tally.track('action', 'button_click', { button_id: 'submit-btn', i })
    : (i) => window.posthog.capture('button_click', { button_id: 'submit-btn', i });
  for (let i = 0; i < warmup; i++) call(i);
  await new Promise((r) => setTimeout(r, 200));
  const perBatch = [];
  for (let done = 0; done < calls; done += batch) {
    const t0 = performance.now();
    for (let i = 0; i < batch; i++) call(done + i);
    perBatch.push(((performance.now() - t0) / batch) * 1000);
    await new Promise((r) => setTimeout(r, 0));
  }
  await new Promise((r) => setTimeout(r, 3500));
  return { perBatch, isolated: self.crossOriginIsolated };
}`;

/** Microseconds per call for each batch of one run, measured inside the page. */
async function oneRun(browser: Browser, origin: string, sdk: Sdk): Promise<{ perBatch: number[]; isolated: boolean }> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${origin}/${sdk}.html`);
    const loaded = sdk === 'tally' ? "typeof window.tally?.version == 'string'" : "typeof window.posthog?.capture == 'function'";
    await page.waitForFunction(loaded, null, { polling: 50, timeout: 15_000 });
    const args = JSON.stringify({ sdk, calls: CALLS, batch: BATCH, warmup: WARMUP });
    return (await page.evaluate(`(${IN_PAGE})(${args})`)) as { perBatch: number[]; isolated: boolean };
  } finally {
    await context.close();
  }
}

function summarize(runs: Array<{ perBatch: number[]; isolated: boolean }>) {
  const runMedians = runs.map((r) => median(r.perBatch));
  return {
    median_us_per_call: round(median(runMedians)),
    run_medians_us: runMedians.map(round),
    p95_batch_us_per_call: round(quantile(runs.flatMap((r) => r.perBatch), 0.95)),
    precise_timer: runs.every((r) => r.isolated),
  };
}

export async function run(): Promise<Record<string, unknown>> {
  const sizes = bundleSizes();
  const { server, origin, received } = await startStub();
  const browser = await chromium.launch({
    executablePath: process.env.TALLY_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'],
  });
  try {
    // Runs alternate between the SDKs so that noise from the shared machine hits both alike.
    const runs: Record<Sdk, Array<{ perBatch: number[]; isolated: boolean }>> = { tally: [], posthog: [] };
    for (let r = 0; r < RUNS; r++) {
      for (const sdk of ['tally', 'posthog'] as const) runs[sdk].push(await oneRun(browser, origin, sdk));
    }
    const queueWrites = await queueWriteCost(browser, origin, [0, 100, 1000], num('BENCH_SDK_QUEUE_WRITES', 30), 3);
    const tally = summarize(runs.tally);
    const posthog = summarize(runs.posthog);
    const posthogVersion = (JSON.parse(readFileSync(require.resolve('posthog-js/package.json'), 'utf8')) as { version: string }).version;
    return {
      sizes_gzip_bytes: sizes,
      queue_write_main_thread: {
        method: 'Chromium main-thread task time per persisted track() (CDP TaskDuration), offline, 30 writes 100 ms apart, median of 3 pages; events ≈ 400 B each',
        ...queueWrites,
      },
      track_main_thread: {
        method: `${CALLS} calls per run in batches of ${BATCH}, ${RUNS} fresh pages per SDK, alternating, median of the run medians; ${WARMUP} warm-up calls first`,
        chromium: browser.version(),
        goal_us: GOAL_US,
        events_received_by_stub: { ...received },
        tally: { call: "tally.track('action', 'button_click', { button_id, i })", ...tally, meets_goal: tally.median_us_per_call <= GOAL_US },
        posthog: {
          call: "posthog.capture('button_click', { button_id, i })",
          package: `posthog-js@${posthogVersion} (dist/array.js), persistence: memory, autocapture and page views off, flags/surveys/recording/extensions off, compression off; its headless-browser filter and client rate limit are lifted, or it would drop the calls and do no work`,
          ...posthog,
        },
      },
    };
  } finally {
    await browser.close();
    await new Promise<void>((r) => server.close(() => r()));
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  run().then(
    (result) => process.stdout.write(`${JSON.stringify(result, null, 2)}\n`),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
