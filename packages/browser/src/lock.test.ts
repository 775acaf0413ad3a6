// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createBrowserLock } from './lock.js';

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

describe('browser lock', () => {
  it('uses Web Locks when available', async () => {
    const request = vi.fn((_name: string, cb: () => Promise<unknown>) => cb());
    vi.stubGlobal('navigator', { locks: { request } });
    expect(await createBrowserLock()('send', async () => 42)).toBe(42);
    expect(request).toHaveBeenCalledWith('tally:lock:send', expect.any(Function));
    expect(localStorage.getItem('tally:lock:send')).toBeNull();
  });

  it('runs fn unlocked, once, when Web Locks refuses', async () => {
    vi.stubGlobal('navigator', { locks: { request: () => Promise.reject(new DOMException('no', 'SecurityError')) } });
    const fn = vi.fn(async () => 'ran');
    expect(await createBrowserLock()('send', fn)).toBe('ran');
    expect(fn).toHaveBeenCalledOnce();
  });

  it('does not run fn twice when fn itself rejects under Web Locks', async () => {
    const request = vi.fn((_name: string, cb: () => Promise<unknown>) => cb());
    vi.stubGlobal('navigator', { locks: { request } });
    const fn = vi.fn(async () => Promise.reject(new Error('send failed')));
    await expect(createBrowserLock()('send', fn)).rejects.toThrow('send failed');
    expect(fn).toHaveBeenCalledOnce();
  });

  it('runs every section, unlocked, without Web Locks (the collector deduplicates what two tabs both send)', async () => {
    vi.stubGlobal('navigator', {});
    let runs = 0;
    await maxOverlap((fn) => createBrowserLock()('send', () => (runs++, fn())));
    expect(runs).toBe(4);
  });

  it('serializes critical sections under Web Locks', async () => {
    const held = new Map<string, Promise<unknown>>();
    // A minimal exclusive lock manager: each request waits for the previous holder of its name.
    const request = (name: string, cb: () => Promise<unknown>) => {
      const run = (held.get(name) ?? Promise.resolve()).then(cb, cb);
      held.set(name, run.catch(() => {}));
      return run;
    };
    vi.stubGlobal('navigator', { locks: { request } });
    expect(await maxOverlap((fn) => createBrowserLock()('send', fn))).toBe(1);
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
