// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createBrowserLock, withLease } from './lock.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  localStorage.clear();
});

/** Runs `fn` as several concurrent critical sections and records the most that ever overlapped. */
async function maxOverlap(run: (fn: () => Promise<void>) => Promise<void>, callers = 4) {
  let inside = 0;
  let max = 0;
  await Promise.all(
    Array.from({ length: callers }, () =>
      run(async () => {
        max = Math.max(max, ++inside);
        await sleep(15);
        inside--;
      }),
    ),
  );
  return max;
}

describe('localStorage lease', () => {
  it('lets one holder at a time run, and every caller eventually runs', async () => {
    let runs = 0;
    const max = await maxOverlap((fn) => withLease('k', () => (runs++, fn()), { pollMs: 5 }));
    expect(max).toBe(1);
    expect(runs).toBe(4);
    expect(localStorage.getItem('k')).toBeNull();
  });

  it('takes over a lease whose holder died (expired)', async () => {
    localStorage.setItem('k', JSON.stringify({ id: 'dead-tab', exp: Date.now() - 1 }));
    expect(await withLease('k', async () => 'mine', { pollMs: 5 })).toBe('mine');
  });

  it('waits for a live lease held by another tab', async () => {
    localStorage.setItem('k', JSON.stringify({ id: 'other-tab', exp: Date.now() + 60_000 }));
    let ran = false;
    const p = withLease('k', async () => (ran = true), { pollMs: 5 });
    await sleep(40);
    expect(ran).toBe(false);
    localStorage.removeItem('k');
    await p;
    expect(ran).toBe(true);
  });

  it('releases the lease when fn rejects, and passes the rejection on', async () => {
    await expect(withLease('k', async () => Promise.reject(new Error('x')), { pollMs: 5 })).rejects.toThrow('x');
    expect(localStorage.getItem('k')).toBeNull();
  });
});

describe('browser lock', () => {
  it('uses Web Locks when available', async () => {
    const request = vi.fn((_name: string, cb: () => Promise<unknown>) => cb());
    vi.stubGlobal('navigator', { locks: { request } });
    expect(await createBrowserLock()('send', async () => 42)).toBe(42);
    expect(request).toHaveBeenCalledWith('tally:lock:send', expect.any(Function));
    expect(localStorage.getItem('tally:lock:send')).toBeNull();
  });

  it('falls back to the lease when Web Locks refuses', async () => {
    vi.stubGlobal('navigator', { locks: { request: () => Promise.reject(new DOMException('no', 'SecurityError')) } });
    expect(await createBrowserLock({ pollMs: 5 })('send', async () => 'ran')).toBe('ran');
  });

  it('does not run fn twice when fn itself rejects under Web Locks', async () => {
    const request = vi.fn((_name: string, cb: () => Promise<unknown>) => cb());
    vi.stubGlobal('navigator', { locks: { request } });
    const fn = vi.fn(async () => Promise.reject(new Error('send failed')));
    await expect(createBrowserLock()('send', fn)).rejects.toThrow('send failed');
    expect(fn).toHaveBeenCalledOnce();
  });

  it('serializes critical sections without Web Locks', async () => {
    vi.stubGlobal('navigator', {});
    expect(await maxOverlap((fn) => createBrowserLock({ pollMs: 5 })('send', fn))).toBe(1);
  });

  it('keeps a Web Lock 250 ms after the section, so another tab reads what the section wrote', async () => {
    let released = 0;
    const request = vi.fn((_name: string, cb: () => Promise<unknown>) => cb().finally(() => (released = Date.now())));
    vi.stubGlobal('navigator', { locks: { request } });
    let ended = 0;
    expect(await createBrowserLock()('send', async () => ((ended = Date.now()), 'v'))).toBe('v');
    expect(released - ended).toBeGreaterThanOrEqual(245);
  });
});
