// @vitest-environment happy-dom
/// <reference types="node" />
import 'fake-indexeddb/auto';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Batch } from '@tally/protocol';
import type { Client } from '@tally/core';
import { parseAuto } from './script-tag.js';

/** The stub as documented in docs/sdk-browser.md (a test below keeps the two identical). */
const STUB =
  'window.tally=window.tally||{q:[]};["track","page","setUserId","register","unregister","consent","optOut","optIn","flush","reset"].forEach(function(m){tally[m]=tally[m]||function(){tally.q.push([m,arguments])}});';

type Global = Client & { version?: string; q?: unknown[] };
const w = window as unknown as { tally?: Global };
let fetchMock: ReturnType<typeof vi.fn>;

const batches = () => fetchMock.mock.calls.map((c) => JSON.parse((c[1] as RequestInit).body as string) as Batch);
const events = () => batches().flatMap((b) => b.events);

/** Loads the script-tag bundle's source as the browser would run `<script src=... data-*>`. */
async function load(attrs: Record<string, string>, src = 'https://collector.example/sdk.js') {
  const script = document.createElement('script');
  script.src = src;
  for (const [k, v] of Object.entries(attrs)) script.setAttribute('data-' + k, v);
  vi.spyOn(document, 'currentScript', 'get').mockReturnValue(script);
  vi.resetModules();
  await import('./script-tag.js');
  await new Promise((r) => setTimeout(r, 0));
}
const deleteDb = () =>
  new Promise<void>((resolve) => {
    const req = indexedDB.deleteDatabase('tally');
    req.onsuccess = req.onerror = () => resolve();
  });

beforeEach(async () => {
  // Importing parseAuto above ran the entry once already, without a script tag: start clean.
  w.tally?.shutdown?.();
  delete w.tally;
  await new Promise((r) => setTimeout(r, 0));
  await deleteDb();
  fetchMock = vi.fn(async (_url: string, init: RequestInit) => {
    const n = (JSON.parse(init.body as string) as Batch).events.length;
    return new Response(JSON.stringify({ ok: true, logged: n, duplicates: 0, rejected: [] }), { status: 200 });
  });
  vi.stubGlobal('fetch', fetchMock);
});

afterEach(async () => {
  w.tally?.shutdown?.();
  delete w.tally;
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  localStorage.clear();
  document.body.innerHTML = '';
  await deleteDb();
});

describe('script tag', () => {
  it('configures itself from data attributes and exposes window.tally', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    await load({ endpoint: 'https://collector.example/', app: 'shop', debug: '' });
    expect(w.tally?.version).toBe('0.1.0');
    for (const m of ['track', 'page', 'setUserId', 'register', 'unregister', 'consent', 'optOut', 'optIn', 'flush', 'reset'])
      expect(typeof w.tally![m as keyof Client]).toBe('function');
    await w.tally!.flush();
    expect(fetchMock.mock.calls[0]![0]).toBe('https://collector.example/v1/events');
    expect(batches()[0]!.app).toBe('shop');
    expect(events().map((e) => e.event_type)).toEqual(['page_view']);
    expect(log.mock.calls.some((c) => c[0] == '[tally]')).toBe(true);
  });

  it("defaults the endpoint to the script's origin", async () => {
    await load({ app: 'web' }, 'https://cdn.example/sdk.js?v=1');
    await w.tally!.flush();
    expect(fetchMock.mock.calls[0]![0]).toBe('https://cdn.example/v1/events');
  });

  it('switches auto-tracking parts with data-auto', async () => {
    await load({ app: 'web', auto: 'clicks' });
    document.body.innerHTML = '<button data-track="buy"></button>';
    (document.body.firstElementChild as HTMLElement).click();
    await w.tally!.flush();
    expect(events().map((e) => e.feature ?? e.event_type)).toEqual(['buy']);
  });

  it('sends and stores nothing with data-consent="denied"', async () => {
    await load({ app: 'web', consent: 'denied' });
    w.tally!.track('custom');
    document.body.innerHTML = '<button data-track="buy"></button>';
    (document.body.firstElementChild as HTMLElement).click();
    await w.tally!.flush();
    expect(fetchMock).not.toHaveBeenCalled();
    // The database may exist (it is read for an earlier opt-out) but holds no event and no id.
    const db = await new Promise<IDBDatabase>((resolve) => {
      const req = indexedDB.open('tally');
      req.onsuccess = () => resolve(req.result);
    });
    const all = (store: string) =>
      new Promise<unknown[]>((resolve) => {
        const req = db.transaction(store).objectStore(store).getAllKeys();
        req.onsuccess = () => resolve(req.result);
      });
    expect(db.objectStoreNames.contains('events') ? await all('events') : []).toEqual([]);
    expect(db.objectStoreNames.contains('kv') ? await all('kv') : []).toEqual([]);
    db.close();
  });

  it('holds events with data-consent="pending" until consent is granted', async () => {
    await load({ app: 'web', consent: 'pending' });
    w.tally!.track('custom');
    await w.tally!.flush();
    expect(fetchMock).not.toHaveBeenCalled();
    w.tally!.consent('granted');
    await w.tally!.flush();
    expect(events().map((e) => e.event_type).sort()).toEqual(['custom', 'page_view']);
  });

  it('replays calls made through the stub in order, before the first page view, on the same object', async () => {
    new Function(STUB)();
    const stub = w.tally!;
    stub.register({ plan: 'pro' });
    stub.setUserId('u-1');
    stub.track('signup', 'form', { step: 1 });
    stub.unregister('plan');
    expect(stub.q).toHaveLength(4);
    await load({ app: 'web' });
    expect(w.tally).toBe(stub);
    expect(stub.q).toBeUndefined();
    await w.tally!.flush();
    const [signup, page] = events();
    expect(signup).toMatchObject({ event_type: 'signup', feature: 'form', user_id: 'u-1', metadata: { plan: 'pro', step: 1 } });
    expect(page).toMatchObject({ event_type: 'page_view', user_id: 'u-1' });
    expect(page!.metadata).toBeUndefined();
  });

  it('initializes once when loaded twice', async () => {
    await load({ app: 'web' });
    const first = w.tally!.track;
    await load({ app: 'other', endpoint: 'https://elsewhere.example' });
    expect(w.tally!.track).toBe(first);
    await w.tally!.flush();
    expect(events().filter((e) => e.event_type == 'page_view')).toHaveLength(1);
    expect(fetchMock.mock.calls.every((c) => c[0] == 'https://collector.example/v1/events')).toBe(true);
  });

  it('never throws into the page, even when window.tally is not an object', async () => {
    (w as Record<string, unknown>).tally = 'not an object';
    await expect(load({ app: 'web' })).resolves.toBeUndefined();
  });

  it('keeps docs/sdk-browser.md showing exactly this stub', () => {
    const doc = readFileSync(`${__dirname}/../../../docs/sdk-browser.md`, 'utf8');
    expect(doc).toContain(STUB);
  });
});

describe('parseAuto', () => {
  it.each([
    [null, true],
    ['', true],
    ['all', true],
    ['none', { pageviews: false, clicks: false, forms: false, errors: false, vitals: false }],
    ['pageviews, clicks', { pageviews: true, clicks: true, forms: false, errors: false, vitals: false }],
    ['Vitals errors', { pageviews: false, clicks: false, forms: false, errors: true, vitals: true }],
  ])('%j → %j', (value, expected) => expect(parseAuto(value)).toEqual(expected));
});
