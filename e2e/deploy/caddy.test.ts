import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser.js';
import { hasCaddy, httpsRequest, startCaddy, type CaddyProcess } from '../support/caddy-process.js';
import { startCollector, type CollectorProcess } from '../support/collector-process.js';
import { waitForEvents } from '../support/event-log.js';
import { sdkLoaded } from '../support/page-probes.js';
import { checkPersonRoutes } from '../support/person-routes.js';
import { freePort } from '../support/ports.js';

// deploy/Caddyfile as shipped (tls internal, free ports) in front of a real collector.
// .ci/run installs Caddy; without it (a developer machine) there is nothing to test against.
const suite = hasCaddy() ? describe : describe.skip;

suite('behind Caddy (deploy/Caddyfile)', () => {
  let state: string;
  let collector: CollectorProcess;
  let caddy: CaddyProcess;
  let browser: Browser | undefined;
  // Caddy connects to the collector from 127.0.0.1. The visitors of this test are loopback
  // addresses too (127.0.0.2, .3), so the test trusts exactly 127.0.0.1 rather than `loopback`.
  const env = (trust: string) => ({ TALLY_TRUST_PROXY: trust, TALLY_RATE_LIMIT: '40', TALLY_LOG_LEVEL: 'warn' });

  beforeAll(async () => {
    state = await mkdtemp(join(tmpdir(), 'tally-caddy-'));
    collector = await startCollector({ port: await freePort(), dataDir: join(state, 'data'), env: env('127.0.0.1') });
    caddy = await startCaddy({ upstream: `127.0.0.1:${collector.port}`, stateDir: join(state, 'caddy') });
  });
  afterAll(async () => {
    await browser?.close().catch(() => {});
    await caddy?.stop();
    await collector?.stop();
    await rm(state, { recursive: true, force: true });
  });

  it('serves the script tag compressed over HTTPS with a certificate from its CA', async () => {
    const res = await httpsRequest(caddy.url, '/sdk.js', { ca: caddy.rootCa, headers: { 'accept-encoding': 'gzip' } });
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe('gzip');
    // The metrics stay on loopback for Prometheus.
    expect((await httpsRequest(caddy.url, '/metrics', { ca: caddy.rootCa })).status).toBe(404);
    expect((await fetch(`${collector.url}/metrics`)).status).toBe(200);
  });

  it('an https:// page with the script tag pointing at the HTTPS collector: events arrive', async () => {
    // In production the collector has a public address like the site. Here it is on loopback,
    // and Chromium's Local Network Access rules would block a public https:// page from loading
    // a script from loopback at all: switch them off to stand in for a public collector.
    browser = await launchChromium(['--disable-features=LocalNetworkAccessChecks']);
    // The certificate comes from Caddy's local CA, which this Chromium profile does not know.
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    const app = `shop-${randomUUID().slice(0, 8)}`;
    // The site itself on another https:// origin, served by the browser's request routing.
    await page.route('https://shop.example/**', (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: `<!doctype html><title>shop</title>
<script defer src="${caddy.url}/sdk.js" data-endpoint="${caddy.url}" data-app="${app}"></script>
<button data-track="buy_button">Buy</button>`,
      }),
    );
    await page.goto('https://shop.example/');
    await sdkLoaded(page);
    await page.click('button');
    await page.evaluate(() => (window as unknown as { tally: { flush(): Promise<unknown> } }).tally.flush());
    const stored = await waitForEvents(collector.dataDir, app, 'page view and click', (e) => e.event_type === 'page_view' || e.feature === 'buy_button', 2);
    expect(stored.map((e) => e.url)).toContain('https://shop.example/');
    expect(stored.some((e) => e.feature === 'buy_button')).toBe(true);
    await context.close();
  });

  const batch = (n: number) => JSON.stringify({ events: Array.from({ length: n }, () => ({ event_type: 'page_view', event_id: randomUUID(), ts: new Date().toISOString() })) });
  const send = (from: string, headers: Record<string, string> = {}) =>
    httpsRequest(caddy.url, '/v1/events', { ca: caddy.rootCa, method: 'POST', body: batch(30), localAddress: from, headers: { 'content-type': 'application/json', ...headers } }).then((r) => r.status);

  it('trusted proxy: each visitor has its own rate-limit bucket, and a forged X-Forwarded-For does not escape it', async () => {
    expect(await send('127.0.0.2')).toBe(200);
    expect(await send('127.0.0.2')).toBe(429);
    expect(await send('127.0.0.2', { 'x-forwarded-for': '203.0.113.7' })).toBe(429);
    expect(await send('127.0.0.3')).toBe(200);
  });

  it('passes access and erasure requests through their own route (longer response timeout) with the dashboard key', async () => {
    await checkPersonRoutes(caddy.url, caddy.rootCa, '127.0.0.5');
  });

  it('untrusted proxy: the collector sees the proxy, so every visitor shares one bucket', async () => {
    await collector.stop();
    collector = await startCollector({ port: collector.port, dataDir: collector.dataDir, env: env('off') });
    expect(await send('127.0.0.4')).toBe(200);
    expect(await send('127.0.0.5')).toBe(429);
  });
});
