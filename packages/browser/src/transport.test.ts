// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createFetchTransport } from './transport.js';

const ok = { ok: true, logged: 2, duplicates: 0, rejected: [] };
const respond = (status: number, body?: unknown, headers: Record<string, string> = {}) =>
  vi.fn(async () => new Response(body === undefined ? null : JSON.stringify(body), { status, headers }));

afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

describe('fetch transport', () => {
  it('POSTs the body as text/plain to /v1/events without credentials', async () => {
    const fetch = respond(200, ok);
    vi.stubGlobal('fetch', fetch);
    const t = createFetchTransport({ endpoint: 'https://c.example/base/' });
    await t.send('{"events":[]}');
    expect(fetch).toHaveBeenCalledOnce();
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('https://c.example/base/v1/events');
    expect(init).toMatchObject({ method: 'POST', body: '{"events":[]}', credentials: 'omit' });
    // No Content-Type header: fetch sends a string body as `text/plain;charset=UTF-8` itself, a
    // CORS-safelisted type (no preflight). A header naming another type would need one.
    expect(init.headers).toBeUndefined();
    expect(new Request(url, init).headers.get('content-type')).toMatch(/^text\/plain(;|$)/);
    expect(init.keepalive).toBeFalsy();
  });

  it('returns status and parsed body of a 2xx answer', async () => {
    vi.stubGlobal('fetch', respond(200, { ...ok, rejected: [{ index: 1, reason: 'invalid_ts' }] }));
    const r = await createFetchTransport({ endpoint: 'https://c' }).send('{}');
    expect(r).toEqual({ status: 200, body: { ...ok, rejected: [{ index: 1, reason: 'invalid_ts' }] } });
  });

  it('acknowledges a 2xx without a JSON body', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response('fine', { status: 202 })));
    expect(await createFetchTransport({ endpoint: 'https://c' }).send('{}')).toEqual({ status: 202 });
  });

  it.each([
    [429, { 'Retry-After': '7' }, 7000],
    // Computed when the case runs, under a frozen clock: a date made at collection time goes stale on a loaded machine.
    [503, () => ({ 'Retry-After': new Date(Date.now() + 60_000).toUTCString() }), 60_000],
    [500, {}, undefined],
    [413, {}, undefined],
    [400, {}, undefined],
  ])('maps %d with %j to retryAfterMs %s and no body', async (status, headers, ms) => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.stubGlobal('fetch', respond(status, { ok: false, error: 'x' }, typeof headers == 'function' ? headers() : headers));
    const r = await createFetchTransport({ endpoint: 'https://c' }).send('{}');
    expect(r.status).toBe(status);
    expect(r.body).toBeUndefined();
    if (ms === undefined) expect(r.retryAfterMs).toBeUndefined();
    // An HTTP-date has one-second resolution.
    else expect(r.retryAfterMs).toBeGreaterThanOrEqual(ms - 1000), expect(r.retryAfterMs).toBeLessThanOrEqual(ms);
  });

  it('maps a network error to status 0 and never rejects', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))));
    expect(await createFetchTransport({ endpoint: 'https://c' }).send('{}')).toEqual({ status: 0 });
  });

  it('aborts a request that hangs and reports status 0', async () => {
    vi.useFakeTimers();
    let signal: AbortSignal | undefined;
    vi.stubGlobal(
      'fetch',
      vi.fn((_url: string, init: RequestInit) => {
        signal = init.signal ?? undefined;
        return new Promise((_, reject) => signal!.addEventListener('abort', () => reject(new Error('aborted'))));
      }),
    );
    const pending = createFetchTransport({ endpoint: 'https://c', timeoutMs: 5000 }).send('{}');
    await vi.advanceTimersByTimeAsync(5000);
    expect(signal?.aborted).toBe(true);
    expect(await pending).toEqual({ status: 0 });
  });
});

describe('urgent send', () => {
  it('uses sendBeacon with a string body, which the browser sends as text/plain (no preflight)', () => {
    const beacon = vi.fn(() => true);
    const fetch = vi.fn();
    vi.stubGlobal('navigator', { sendBeacon: beacon });
    vi.stubGlobal('fetch', fetch);
    expect(createFetchTransport({ endpoint: 'https://c' }).sendUrgent!('{"events":[1]}')).toBe(true);
    // A string, not a Blob or FormData: the Beacon spec labels a string `text/plain;charset=UTF-8`.
    expect(beacon).toHaveBeenCalledWith('https://c/v1/events', '{"events":[1]}');
    expect(fetch).not.toHaveBeenCalled();
  });

  it.each([
    ['refuses', { sendBeacon: () => false }],
    ['throws', { sendBeacon: () => { throw new TypeError('too big'); } }],
    ['is missing', {}],
  ])('falls back to fetch keepalive when sendBeacon %s', (_case, nav) => {
    const fetch = vi.fn(async () => new Response(null, { status: 200 }));
    vi.stubGlobal('navigator', nav);
    vi.stubGlobal('fetch', fetch);
    expect(createFetchTransport({ endpoint: 'https://c' }).sendUrgent!('B')).toBe(true);
    expect(fetch).toHaveBeenCalledWith('https://c/v1/events', expect.objectContaining({ body: 'B', keepalive: true, method: 'POST' }));
  });

  it('returns false when neither beacon nor fetch can take it, and swallows a rejected keepalive', async () => {
    vi.stubGlobal('navigator', {});
    vi.stubGlobal('fetch', undefined);
    expect(createFetchTransport({ endpoint: 'https://c' }).sendUrgent!('B')).toBe(false);
    vi.stubGlobal('fetch', vi.fn(() => Promise.reject(new TypeError('keepalive budget'))));
    expect(createFetchTransport({ endpoint: 'https://c' }).sendUrgent!('B')).toBe(true);
  });
});
