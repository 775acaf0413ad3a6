// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { trackPageViews } from './page-views.js';

// Fake timers: the tracker checks the URL a tick after a change, and wall-clock ticks are flaky under load.
const tick = () => vi.runAllTimers();
const stops: Array<() => void> = [];
function setup(active = () => true) {
  const urls: string[] = [];
  const page = vi.fn(() => void urls.push(location.href));
  stops.push(trackPageViews({ page }, active));
  return { page, urls };
}

beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }));
afterEach(() => {
  stops.splice(0).forEach((s) => s());
  vi.useRealTimers();
  history.replaceState(null, '', '/');
});

describe('page views', () => {
  it('tracks the page on start', () => {
    const { urls } = setup();
    expect(urls).toEqual([location.href]);
  });

  it('tracks pushState and replaceState navigations once per URL change', async () => {
    const { urls } = setup();
    history.pushState(null, '', '/a');
    await tick();
    history.replaceState(null, '', '/a?tab=2');
    await tick();
    history.pushState({ same: true }, '', '/a?tab=2');
    history.replaceState({ state: 'only' }, '');
    await tick();
    expect(urls.map((u) => new URL(u).pathname + new URL(u).search)).toEqual(['/', '/a', '/a?tab=2']);
  });

  it('counts several signals for one change once (pushState then hashchange)', async () => {
    const { page } = setup();
    history.pushState(null, '', '/#top');
    dispatchEvent(new Event('hashchange'));
    dispatchEvent(new Event('popstate'));
    await tick();
    expect(page).toHaveBeenCalledTimes(2);
  });

  it('tracks back/forward (popstate) and hash changes', async () => {
    const { urls } = setup();
    history.replaceState(null, '', '/b');
    await tick();
    // A URL change the wrappers cannot see, then the event the browser would fire for it.
    Object.getPrototypeOf(history).replaceState.call(history, null, '', '/c');
    dispatchEvent(new Event('popstate'));
    await tick();
    Object.getPrototypeOf(history).replaceState.call(history, null, '', '/c#d');
    dispatchEvent(new Event('hashchange'));
    await tick();
    expect(urls.map((u) => new URL(u).pathname + new URL(u).hash)).toEqual(['/', '/b', '/c', '/c#d']);
  });

  it('keeps the router working and stays silent after stop or while inactive', async () => {
    let active = true;
    const { page } = setup(() => active);
    stops.pop()!();
    history.pushState(null, '', '/gone');
    await tick();
    expect(location.pathname).toBe('/gone');
    expect(page).toHaveBeenCalledTimes(1);
    const second = setup(() => active);
    active = false;
    history.pushState(null, '', '/denied');
    await tick();
    expect(second.page).toHaveBeenCalledTimes(1);
  });

  it('wraps history once for several trackers and never breaks navigation when a tracker throws', async () => {
    const a = setup();
    stops.push(
      trackPageViews(
        {
          page: () => {
            throw new Error('boom');
          },
        },
        () => true,
      ),
    );
    expect(() => history.pushState(null, '', '/x')).not.toThrow();
    await tick();
    expect(location.pathname).toBe('/x');
    expect(a.page).toHaveBeenCalledTimes(2);
  });
});
