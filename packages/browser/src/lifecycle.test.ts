// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LifecycleEvent } from '@tally/core';
import { createBrowserLifecycle } from './lifecycle.js';

let visibility: DocumentVisibilityState = 'visible';
const setVisibility = (v: DocumentVisibilityState) => {
  visibility = v;
  document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
};

function subscribe(now = () => 0) {
  vi.spyOn(document, 'visibilityState', 'get').mockImplementation(() => visibility);
  const events: LifecycleEvent[] = [];
  const stop = createBrowserLifecycle(now).subscribe((e) => events.push(e));
  return { events, stop };
}

afterEach(() => {
  visibility = 'visible';
  vi.restoreAllMocks();
});

describe('browser lifecycle', () => {
  it('maps visibility changes to hidden and visible', () => {
    const { events } = subscribe();
    setVisibility('hidden');
    setVisibility('visible');
    expect(events).toEqual(['hidden', 'visible']);
  });

  it('emits hidden on pagehide when no visibility change came first (Safari navigation)', () => {
    const { events } = subscribe();
    dispatchEvent(new Event('pagehide'));
    expect(events).toEqual(['hidden']);
  });

  it('does not repeat hidden for the pagehide of the same unload', () => {
    let t = 10_000;
    const { events } = subscribe(() => t);
    setVisibility('hidden');
    t += 50;
    dispatchEvent(new Event('pagehide'));
    expect(events).toEqual(['hidden']);
  });

  it('emits hidden again on a pagehide long after the tab went to the background', () => {
    let t = 10_000;
    const { events } = subscribe(() => t);
    setVisibility('hidden');
    t += 60_000;
    dispatchEvent(new Event('pagehide'));
    expect(events).toEqual(['hidden', 'hidden']);
  });

  it('emits visible when a page comes back from the back/forward cache', () => {
    const { events } = subscribe();
    dispatchEvent(new Event('pagehide'));
    const show = new Event('pageshow') as PageTransitionEvent;
    Object.defineProperty(show, 'persisted', { value: true });
    dispatchEvent(show);
    dispatchEvent(new Event('pageshow'));
    expect(events).toEqual(['hidden', 'visible']);
  });

  it('forwards online and offline and reads navigator.onLine', () => {
    const { events } = subscribe();
    const online = vi.spyOn(navigator, 'onLine', 'get').mockReturnValue(false);
    dispatchEvent(new Event('offline'));
    expect(createBrowserLifecycle().isOnline()).toBe(false);
    online.mockReturnValue(true);
    dispatchEvent(new Event('online'));
    expect(createBrowserLifecycle().isOnline()).toBe(true);
    expect(events).toEqual(['offline', 'online']);
  });

  it('stops after unsubscribe, and a throwing listener does not reach the page', () => {
    const { events, stop } = subscribe();
    stop();
    dispatchEvent(new Event('offline'));
    expect(events).toEqual([]);
    createBrowserLifecycle().subscribe(() => {
      throw new Error('boom');
    });
    expect(() => dispatchEvent(new Event('online'))).not.toThrow();
  });
});
