import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { Browser } from 'playwright-core';

/**
 * Issue 12's comparison, in one process, SDKs alternating, a fresh browser context per run, a
 * cross-origin-isolated page (5 µs timer), a local stub answering 200 to every SDK:
 * - paced: `PACED_CALLS` single calls, one per task, 25 ms apart, each timed alone; then the
 *   renderer's main-thread task time (CDP `Performance.getMetrics` → `TaskDuration`) over the loop
 *   and a settle period until the stub has heard nothing for 2 s, per call, minus the same figure
 *   for a page without any SDK running the same loop → amortized main-thread µs per event;
 * - burst: 10,000 calls in blocks of 100 per task: µs per call, long tasks (> 50 ms), and events
 *   the stub received (Tally: plus those it reported as dropped) once it has been quiet for 5 s.
 * Amplitude and PostHog load from their published script bundles and post to the stub.
 */

const require = createRequire(import.meta.url);
export type PacedSdk = 'empty' | 'tally' | 'amplitude' | 'posthog';
const ISOLATED = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

interface Stub {
  server: Server;
  origin: string;
  received: Record<string, number>;
  dropped: number;
  last: number;
}

export async function startPacedStub(): Promise<Stub> {
  const files: Record<string, Buffer> = {
    '/tally.js': readFileSync(require.resolve('@tally/browser/tally.global.js')),
    '/amplitude.js': readFileSync(require.resolve('@amplitude/analytics-browser/lib/scripts/amplitude-min.js')),
    '/posthog.js': readFileSync(require.resolve('posthog-js/dist/array.js')),
  };
  const stub: Stub = { server: undefined as unknown as Server, origin: '', received: {}, dropped: 0, last: Date.now() };
  stub.server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Headers': '*', ...ISOLATED }).end();
      return;
    }
    if (req.method === 'POST') {
      const chunks: Buffer[] = [];
      req.on('data', (d: Buffer) => chunks.push(d));
      req.on('end', () => {
        stub.last = Date.now();
        const sdk = path.startsWith('/v1/events') ? 'tally' : path.startsWith('/2/httpapi') ? 'amplitude' : 'posthog';
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString()) as { events?: unknown[]; batch?: unknown[]; dropped?: number };
          stub.received[sdk] = (stub.received[sdk] ?? 0) + (Array.isArray(body) ? body.length : (body.events ?? body.batch ?? [body]).length);
          if (sdk === 'tally' && body.dropped) stub.dropped = Math.max(stub.dropped, body.dropped);
        } catch {
          // Not JSON (compressed or a beacon form): counted as a request only.
        }
        res.writeHead(200, { 'Content-Type': 'application/json', 'Access-Control-Allow-Origin': '*', ...ISOLATED });
        res.end(sdk === 'tally' ? '{"ok":true,"rejected":[]}' : sdk === 'amplitude' ? '{"code":200}' : '{"status":1}');
      });
      return;
    }
    const o = stub.origin;
    const heads: Record<string, string> = {
      '/empty.html': '<script>window.call = () => {}; window.ready = true;</script>',
      '/tally.html': `<script src="/tally.js" data-endpoint="${o}" data-app="bench" data-auto="none"></script><script>window.call = (i) => tally.track('action', 'button_click', { button_id: 'submit-btn', i }); window.ready = true;</script>`,
      '/amplitude.html': `<script src="/amplitude.js"></script><script>amplitude.init('0123456789abcdef0123456789abcdef', { serverUrl: '${o}/2/httpapi', autocapture: false, fetchRemoteConfig: false, logLevel: 0 }); window.call = (i) => amplitude.track('button_click', { button_id: 'submit-btn', i }); window.ready = true;</script>`,
      '/posthog.html': `<script src="/posthog.js"></script><script>posthog.init('phc_bench', { api_host: '${o}', persistence: 'localStorage', autocapture: false, capture_pageview: false, capture_pageleave: false, disable_session_recording: true, advanced_disable_flags: true, advanced_disable_decide: true, disable_surveys: true, disable_external_dependency_loading: true, capture_performance: false, disable_compression: true, capture_dead_clicks: false, capture_exceptions: false, rageclick: false, opt_out_useragent_filter: true, rate_limiting: { events_per_second: 1e9, events_burst_limit: 1e9 } }); window.call = (i) => posthog.capture('button_click', { button_id: 'submit-btn', i }); window.ready = true;</script>`,
    };
    const head = heads[path];
    if (head) {
      res.writeHead(200, { 'Content-Type': 'text/html', ...ISOLATED });
      res.end(`<!doctype html><html><head>${head}</head><body></body></html>`);
      return;
    }
    const js = files[path];
    if (!js) return void res.writeHead(404, ISOLATED).end();
    res.writeHead(200, { 'Content-Type': 'application/javascript', ...ISOLATED });
    res.end(js);
  });
  await new Promise<void>((r) => stub.server.listen(0, '127.0.0.1', r));
  const addr = stub.server.address();
  stub.origin = `http://127.0.0.1:${typeof addr == 'object' && addr ? addr.port : 0}`;
  return stub;
}

const PACED = `async (calls) => {
  const t = [];
  for (let i = 0; i < calls; i++) {
    await new Promise((r) => setTimeout(r, 25));
    const t0 = performance.now();
    window.call(i);
    t.push((performance.now() - t0) * 1000);
  }
  return { t, isolated: self.crossOriginIsolated };
}`;

const BURST = `async (calls) => {
  let longTasks = 0;
  new PerformanceObserver((l) => (longTasks += l.getEntries().length)).observe({ type: 'longtask' });
  const t0 = performance.now();
  for (let done = 0; done < calls; done += 100) {
    for (let i = 0; i < 100; i++) window.call(done + i);
    await new Promise((r) => setTimeout(r, 0));
  }
  const us = ((performance.now() - t0) * 1000) / calls;
  await new Promise((r) => setTimeout(r, 100));
  return { us, longTasks };
}`;

async function quiet(stub: Stub, ms = 2000, max = 60_000) {
  const start = Date.now();
  while (Date.now() - stub.last < ms && Date.now() - start < max) await new Promise((r) => setTimeout(r, 200));
}

/** One paced run of `sdk` in a fresh context: per-call µs and main-thread µs per call over loop + settle. */
export async function pacedRun(browser: Browser, stub: Stub, sdk: PacedSdk, calls: number) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${stub.origin}/${sdk}.html`);
    await page.waitForFunction('window.ready === true', null, { polling: 50, timeout: 15_000 });
    await new Promise((r) => setTimeout(r, 1000));
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const task = async () => ((await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration')?.value ?? 0) as number;
    const before = stub.received[sdk] ?? 0;
    const t0 = await task();
    const { t, isolated } = (await page.evaluate(`(${PACED})(${calls})`)) as { t: number[]; isolated: boolean };
    stub.last = Date.now();
    await quiet(stub);
    const mainUs = (((await task()) - t0) * 1e6) / calls;
    return { t, isolated, mainUs, delivered: (stub.received[sdk] ?? 0) - before };
  } finally {
    await context.close();
  }
}

/** One burst run: µs per call, long tasks, and what reached the stub (or was counted) once quiet. */
export async function burstRun(browser: Browser, stub: Stub, sdk: Exclude<PacedSdk, 'empty'>, calls: number) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${stub.origin}/${sdk}.html`);
    await page.waitForFunction('window.ready === true', null, { polling: 50, timeout: 15_000 });
    await new Promise((r) => setTimeout(r, 500));
    const before = stub.received[sdk] ?? 0;
    stub.dropped = 0;
    const r = (await page.evaluate(`(${BURST})(${calls})`)) as { us: number; longTasks: number };
    stub.last = Date.now();
    // 5 s, not 2: on a loaded machine Tally's next send after the first can wait > 2 s behind the
    // burst's hundred queued writes (every event still arrives, after that gap): the run must not end there.
    await quiet(stub, 5000, 90_000);
    return { ...r, delivered: (stub.received[sdk] ?? 0) - before, dropped_reported: sdk === 'tally' ? stub.dropped : undefined };
  } finally {
    await context.close();
  }
}
