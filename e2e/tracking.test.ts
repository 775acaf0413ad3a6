import { describe, expect, it } from 'vitest';
import { setupE2E } from './support/harness.js';
import { eventsOf, waitForEvents } from './support/event-log.js';
import { recordIngestRequests, sdkLoaded } from './support/page-probes.js';
import { flushSdk } from './support/sdk.js';
import { sleep } from './support/wait.js';

const e2e = setupE2E();
const pathOf = (url: string | undefined) => (url ? new URL(url).pathname : undefined);

describe('auto-tracking through the script tag, demo on another origin', () => {
  it('records a page view on load and one per client-side navigation', async () => {
    const app = e2e.useApp('pageviews');
    const page = await e2e.openPage('/app');
    await waitForEvents(e2e.collector.dataDir, app, 'page_view of /app', (e) => e.event_type === 'page_view' && pathOf(e.url) === '/app');

    // pushState navigations: the page is never reloaded.
    await page.click('a[href="/app/reports"]');
    await page.waitForSelector('#throw-error');
    await page.click('a[href="/app/settings"]');
    await page.waitForSelector('#login');
    await page.goBack(); // popstate back to /app/reports
    await page.waitForSelector('#throw-error');
    expect(e2e.demo.requests.filter((p) => p === '/app' || p.startsWith('/app/'))).toEqual(['/app']);

    const views = await waitForEvents(e2e.collector.dataDir, app, '4 page views', (e) => e.event_type === 'page_view', 4);
    expect(views.map((e) => pathOf(e.url))).toEqual(['/app', '/app/reports', '/app/settings', '/app/reports']);
    expect(new Set(views.map((e) => e.event_id)).size).toBe(4);
    // The same session and visitor throughout, and every event says where it came from.
    expect(new Set(views.map((e) => e.session_id)).size).toBe(1);
    expect(new Set(views.map((e) => e.anonymous_id)).size).toBe(1);
    expect(views.every((e) => e.url?.startsWith(e2e.demo.url))).toBe(true);
  });

  it('records a data-track click with its data-track-* metadata', async () => {
    const app = e2e.useApp('clicks');
    const page = await e2e.openPage('/pricing');
    await page.click('#choose-pro');
    await page.click('#contact-sales');

    const actions = await waitForEvents(e2e.collector.dataDir, app, 'two clicks', (e) => e.event_type === 'action', 2);
    expect(actions.map((e) => [e.feature, e.metadata])).toEqual([
      ['choose_plan', { plan: 'pro', price: '8', action: 'click' }],
      ['contact_sales', { plan: 'team', action: 'open_dialog' }],
    ]);
    expect(pathOf(actions[0]!.url)).toBe('/pricing');
  });

  it('records a data-track form on submit, without reading its fields', async () => {
    const app = e2e.useApp('form');
    const page = await e2e.openPage('/signup');
    await Promise.all([page.waitForURL(/\/welcome\?/), page.click('#signup-submit')]);
    await sdkLoaded(page);

    const [signup] = await waitForEvents(e2e.collector.dataDir, app, 'signup conversion', (e) => e.event_type === 'conversion');
    expect(signup!.feature).toBe('signup');
    expect(signup!.metadata).toEqual({ source: 'signup_page', action: 'submit' });
    expect(JSON.stringify(signup)).not.toContain('ada@example.com');

    // The welcome page's address carries the form fields; the secret-looking one is redacted.
    const [welcome] = await waitForEvents(e2e.collector.dataDir, app, 'welcome page view', (e) => pathOf(e.url) === '/welcome');
    expect(welcome!.url).not.toContain('ada@example.com');
    expect(new URL(welcome!.url!).searchParams.get('email')).toBe('REDACTED');
    expect(new URL(welcome!.url!).searchParams.get('plan')).toBe('pro');
  });

  it('records an uncaught error thrown by a page handler', async () => {
    const app = e2e.useApp('errors');
    const page = await e2e.openPage('/app/reports');
    await page.click('#throw-error');
    await page.click('#throw-error'); // the same error again: deduplicated by the SDK

    const [error] = await waitForEvents(e2e.collector.dataDir, app, 'error event', (e) => e.event_type === 'error');
    expect(JSON.stringify(error!.metadata)).toContain('the Reports button broke on purpose');
    await flushSdk(page);
    expect((await eventsOf(e2e.collector.dataDir, app)).filter((e) => e.event_type === 'error')).toHaveLength(1);
  });

  it('sends events as batches, not one request per event', async () => {
    const app = e2e.useApp('batching');
    const context = await e2e.newContext();
    const requests = recordIngestRequests(context, e2e.collector.url);
    const page = await context.newPage();
    await page.goto(`${e2e.demo.url}/app`);
    await sdkLoaded(page);
    for (let i = 0; i < 5; i++) await page.click('#new-note');
    await waitForEvents(e2e.collector.dataDir, app, 'five clicks', (e) => e.feature === 'new_note', 5);
    await sleep(200);
    const sent = requests.flatMap((r) => r.eventIds);
    expect(sent.length).toBeGreaterThanOrEqual(6);
    expect(requests.length).toBeLessThan(sent.length);
  });
});
