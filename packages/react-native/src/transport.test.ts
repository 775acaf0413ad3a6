import { parseRetryAfter } from '@tally/core/adapter';
import { createNativeTransport } from './transport';

const realFetch = global.fetch;
afterEach(() => {
  global.fetch = realFetch;
});

const answer = (status: number, body: string | null, headers: Record<string, string> = {}) =>
  jest.fn(async () => new Response(body, { status, headers }));

describe('fetch transport', () => {
  it('POSTs JSON to /v1/events and returns the status and parsed body', async () => {
    const f = answer(200, '{"ok":true,"logged":1,"duplicates":0,"rejected":[]}');
    global.fetch = f as never;
    const r = await createNativeTransport({ endpoint: 'https://c.example/' }).send('{"events":[]}');
    expect(r).toEqual({ status: 200, retryAfterMs: undefined, body: { ok: true, logged: 1, duplicates: 0, rejected: [] } });
    expect(f).toHaveBeenCalledWith('https://c.example/v1/events', expect.objectContaining({ method: 'POST', body: '{"events":[]}' }));
  });

  it('503 with Retry-After in seconds or as a date', async () => {
    global.fetch = answer(503, 'busy', { 'Retry-After': '7' }) as never;
    expect(await createNativeTransport({ endpoint: 'https://c' }).send('{}')).toEqual({ status: 503, retryAfterMs: 7000, body: undefined });
    expect(parseRetryAfter(new Date(Date.now() + 60_000).toUTCString(), Date.now())).toBeGreaterThan(58_000);
    expect(parseRetryAfter('-5', 0)).toBeUndefined();
  });

  it('a network error, and a request that never answers, are status 0', async () => {
    global.fetch = jest.fn(async () => {
      throw new TypeError('Network request failed');
    }) as never;
    expect(await createNativeTransport({ endpoint: 'https://c' }).send('{}')).toEqual({ status: 0 });
    global.fetch = jest.fn(
      (_u: string, init: RequestInit) =>
        new Promise((_, reject) => init.signal!.addEventListener('abort', () => reject(new Error('aborted')))),
    ) as never;
    expect(await createNativeTransport({ endpoint: 'https://c', timeoutMs: 10 }).send('{}')).toEqual({ status: 0 });
  });

  it('a 2xx whose body is not JSON still acknowledges', async () => {
    global.fetch = answer(204, null) as never;
    expect((await createNativeTransport({ endpoint: 'https://c' }).send('{}')).status).toBe(204);
  });
});
