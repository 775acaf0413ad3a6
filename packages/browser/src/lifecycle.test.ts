// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LifecycleEvent } from '@tally/core';
import { createBrowserLifecycle } from './lifecycle.js';

// The hide de-duplication measures time with the events' own time stamps; tests set them.
const at = (e: Event, t: number) => Object.defineProperty(e, 'timeStamp', { value: t });
let visibility: DocumentVisibilityState = 'visible';
const setVisibility = (v: DocumentVisibilityState, t = 0) => {
  visibility = v;
  document.dispatchEvent(at(new Event('visibilitychange', { bubbles: true }), t));
};
const pagehide = (t = 0) => dispatchEvent(at(new Event('pagehide'), t));

function subscribe() {
  vi.spyOn(document, 'visibilityState', 'get').mockImplementation(() => visibility);
  const events: LifecycleEvent[] = [];
  const stop = createBrowserLifecycle().subscribe((e) => events.push(e));
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
    pagehide();
    expect(events).toEqual(['hidden']);
  });

  it('does not repeat hidden for the pagehide of the same unload', () => {
    const { events } = subscribe();
    setVisibility('hidden', 10_000);
    pagehide(10_050);
    expect(events).toEqual(['hidden']);
  });

  it('emits hidden again on a pagehide long after the tab went to the background', () => {
    const { events } = subscribe();
    setVisibility('hidden', 10_000);
    pagehide(70_000);
    expect(events).toEqual(['hidden', 'hidden']);
  });

  it('emits visible when a page comes back from the back/forward cache', () => {
    const { events } = subscribe();
    pagehide();
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
