import { afterEach, describe, expect, it, vi } from 'vitest';
import { api, ApiError } from './api.js';

afterEach(() => vi.unstubAllGlobals());

describe('api()', () => {
  it('turns a network failure into an ApiError a user can act on', async () => {
    vi.stubGlobal('fetch', () => Promise.reject(new TypeError('Failed to fetch')));
    const err = await api('usage').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(0);
    expect((err as ApiError).message).toMatch(/did not answer/);
  });

  it('lets an abort through as an abort', async () => {
    vi.stubGlobal('fetch', () => Promise.reject(new DOMException('aborted', 'AbortError')));
    const err = await api('usage').catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(ApiError);
    expect((err as DOMException).name).toBe('AbortError');
  });

  it('keeps the collector’s own error text', async () => {
    vi.stubGlobal('fetch', () => Promise.resolve(new Response(JSON.stringify({ ok: false, error: 'bad range' }), { status: 400 })));
    await expect(api('usage')).rejects.toMatchObject({ status: 400, message: 'bad range' });
  });
});
