// @vitest-environment happy-dom
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { KEY_OPTOUT, type Client, type WireEvent } from '@tally/core';
import { createFakeTransport, settle } from '@tally/core/testing';
import { init, type BrowserOptions } from './init.js';
import { openIdbStorage } from './storage/idb-storage.js';
import { createBrowserStorage } from './storage/browser-storage.js';

let n = 0;
const clients: Client[] = [];
function start(opts: Partial<BrowserOptions> = {}) {
  const transport = createFakeTransport();
  const storageName = 'init-' + ++n;
  const client = init({ endpoint: 'https://c.example', app: 'web', storageName, transport, ...opts });
  clients.push(client);
  const events = () => transport.batches().flatMap((b) => b.events);
  return { client, transport, storageName, events };
}
const click = (html: string) => {
  document.body.innerHTML = html;
  (document.body.firstElementChild as HTMLElement).click();
};

afterEach(() => {
  clients.splice(0).forEach((c) => c.shutdown());
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  document.body.innerHTML = '';
});

describe('init', () => {
  it('tracks the page view on load and data-track clicks, with browser context, and delivers them on flush', async () => {
    const { client, transport, events } = start();
    await settle();
    click('<button data-track="upgrade" data-track-plan="pro">Go</button>');
    await client.flush();
    expect(events().map((e) => [e.event_type, e.feature])).toEqual([
      ['page_view', undefined],
      ['action', 'upgrade'],
    ]);
    const [page, action] = events();
    expect(page!.url).toBe(location.href);
    expect(page!.context).toMatchObject({ platform: 'web', sdk: { name: 'tally-browser', version: '0.1.0' } });
    expect(action!.metadata).toEqual({ plan: 'pro', action: 'click' });
    expect(transport.batches()[0]!.app).toBe('web');
  });

  it('sends URLs with secret-looking parameters redacted, and the referrer without its query', async () => {
    const back = location.href;
    history.replaceState(null, '', '/reset?reset_token=abc&step=2#access_token=t');
    vi.spyOn(document, 'referrer', 'get').mockReturnValue('https://mail.example/open?email=a@b.c#x');
    try {
      const { client, events } = start({ auto: false });
      client.page();
      client.track('action', 'save');
      await client.flush();
      expect(events()).toHaveLength(2);
      for (const e of events()) {
        expect(e.url).toBe(location.origin + '/reset?reset_token=REDACTED&step=2#access_token=REDACTED');
        expect(e.context!.referrer).toBe('https://mail.example/open');
      }
    } finally {
      history.replaceState(null, '', back);
    }
  });

  it('keeps events in IndexedDB until the collector acknowledges them', async () => {
    const { client, transport, storageName } = start({ auto: false });
    transport.fallback = 503;
    client.track('signup', 'form');
    await client.flush();
    const idb = await openIdbStorage(storageName);
    const queued = async () => (await idb.head(100)).entries.map((x) => x.event);
    expect((await queued()).map((e) => e.event_type)).toEqual(['signup']);
    transport.fallback = 200;
    await client.flush();
    // A 503 schedules a backoff retry; an explicit flush after recovery drains the queue.
    expect(await queued()).toEqual([]);
  });

  it('applies calls made right after init to the first page view', async () => {
    const { client, events } = start({ auto: { pageviews: true, clicks: false, forms: false, errors: false, vitals: false } });
    client.setUserId('u-1');
    client.register({ plan: 'pro' });
    await settle();
    await client.flush();
    expect(events()[0]).toMatchObject({ event_type: 'page_view', user_id: 'u-1', metadata: { plan: 'pro' } });
  });

  it('beacons queued events when the page is hidden', async () => {
    const { client, transport } = start({ auto: false });
    client.track('checkout', 'pay');
    await settle();
    dispatchEvent(new Event('pagehide'));
    await settle();
    expect(transport.urgent.join('')).toContain('"checkout"');
  });

  it('returns an inert client instead of throwing when the platform is unusable (server rendering)', async () => {
    const client = init({
      endpoint: 'https://c.example',
      lifecycle: {
        isOnline: () => true,
        subscribe: () => {
          throw new ReferenceError('window is not defined');
        },
      },
    });
    expect(() => client.track('x')).not.toThrow();
    await expect(client.flush()).resolves.toBeUndefined();
    expect(client.stats()).toEqual({ queued: 0, dropped: 0, sent: 0 });
    expect(await Promise.resolve(client)).toBe(client);
  });

  it('switches auto-tracking parts off', async () => {
    const { client, events } = start({ auto: false });
    await settle();
    click('<button data-track="x"></button>');
    history.pushState(null, '', '/elsewhere');
    await settle();
    await client.flush();
    expect(events()).toEqual([]);
  });
});

describe('consent and privacy signals', () => {
  it('honours Do Not Track: nothing tracked, sent or stored, no auto-tracking', async () => {
    vi.spyOn(navigator, 'doNotTrack', 'get').mockReturnValue('1');
    const { client, transport, storageName } = start();
    await settle();
    click('<button data-track="x"></button>');
    client.track('custom_event');
    await client.flush();
    expect(transport.sent).toEqual([]);
    expect((await (await openIdbStorage(storageName)).head(100)).size).toBe(0);
  });

  it('honours Global Privacy Control, unless respectDnt is false', async () => {
    vi.stubGlobal('navigator', { ...navigator, globalPrivacyControl: true, onLine: true });
    const denied = start();
    const allowed = start({ respectDnt: false });
    await settle();
    await denied.client.flush();
    await allowed.client.flush();
    expect(denied.transport.sent).toEqual([]);
    expect(allowed.events().map((e) => e.event_type)).toEqual(['page_view']);
  });

  it('starts inert with consent denied and starts auto-tracking on optIn, with a page view', async () => {
    const { client, events } = start({ consent: 'denied' });
    await settle();
    click('<button data-track="ignored"></button>');
    client.optIn();
    await settle();
    click('<button data-track="counted"></button>');
    await client.flush();
    expect(events().map((e) => e.feature ?? e.event_type)).toEqual(['page_view', 'counted']);
  });

  it('stops auto-tracking on optOut and on consent({analytics: false})', async () => {
    const { client, transport } = start();
    await settle();
    client.optOut();
    click('<button data-track="after-optout"></button>');
    client.optIn();
    client.consent({ analytics: false });
    click('<button data-track="after-consent-false"></button>');
    await client.flush();
    expect(transport.sent.join('')).not.toContain('after-');
  });

  it('lets a consent call made right after init win over a remembered opt-out, auto-tracking included', async () => {
    const storage = createBrowserStorage('optout-' + ++n);
    await storage.set(KEY_OPTOUT, 1);
    const { client, events } = start({ storage, auto: { pageviews: false, forms: false, errors: false, vitals: false } });
    client.optIn();
    await client.ready();
    await settle();
    click('<button data-track="after-optin"></button>');
    await client.flush();
    expect(events().map((e) => e.feature)).toEqual(['after-optin']);
    expect(await storage.get(KEY_OPTOUT)).toBeUndefined();
  });

  it('keeps a visitor opted out on the next visit (core remembers it under tally.optout)', async () => {
    const storage = createBrowserStorage('optout-' + ++n);
    const first = start({ storage });
    await first.client.ready();
    first.client.optOut();
    await settle();
    expect(await storage.get('tally.optout')).toBeTruthy();
    first.client.shutdown();

    const adds = vi.spyOn(document, 'addEventListener');
    const removes = vi.spyOn(document, 'removeEventListener');
    const second = start({ storage, auto: { pageviews: false, forms: false, errors: false, vitals: false } });
    await second.client.ready();
    await settle();
    click('<button data-track="x"></button>');
    await second.client.flush();
    expect(second.transport.sent).toEqual([]);
    // Inert, not merely filtered: the click listener added at start-up is gone again.
    const clickCalls = (spy: typeof adds) => spy.mock.calls.filter((c) => c[0] == 'click').length;
    expect(clickCalls(adds)).toBe(1);
    expect(clickCalls(removes)).toBe(1);
  });
});
