// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest';
import { click, deliver, FakeObserver, fcpAt, fire, hide, interaction, lcpAt, load, nextFrame, page, pageshow, setup, shift, show, type Track, useFakeBrowser, vital } from '../testing/vitals-fakes.js';

useFakeBrowser();

describe('web vitals: setup', () => {
  it('observes the five entry types, buffered, events from 40 ms plus the first input', () => {
    setup();
    const options = (type: string) => FakeObserver.of(type).map((o) => o.options);
    expect(options('paint')).toEqual([[{ type: 'paint', buffered: true }]]);
    expect(options('largest-contentful-paint')).toEqual([[{ type: 'largest-contentful-paint', buffered: true }]]);
    expect(options('layout-shift')).toEqual([[{ type: 'layout-shift', buffered: true }]]);
    const events = [{ type: 'event', buffered: true, durationThreshold: 40 }, { type: 'first-input', buffered: true }];
    expect(options('event')).toEqual([events]);
    expect(FakeObserver.of('first-input')).toEqual(FakeObserver.of('event'));
  });

  it('the test helpers make trusted events, which happy-dom alone does not', () => {
    expect(new Event('click').isTrusted).toBeFalsy();
    const seen: boolean[] = [];
    const record = (e: Event) => seen.push(e.isTrusted === true);
    addEventListener('click', record, true);
    click();
    click(false);
    removeEventListener('click', record, true);
    expect(seen).toEqual([true, false]);
  });
});

describe('web vitals: a page being prerendered', () => {
  // Prerendering: hidden, a `hidden` visibility-state entry at 0, activation at 2000.
  const prerender = () => {
    page.prerendering = true;
    page.vis = 'hidden';
    page.ready = 'complete';
    page.nav = { type: 'navigate', responseStart: 100, activationStart: 2000 };
    page.visibilityEntries = [{ name: 'hidden', startTime: 0 }];
  };
  const activate = (bubbles: boolean) => {
    page.prerendering = false;
    page.vis = 'visible';
    page.visibilityEntries.push({ name: 'visible', startTime: 2000 });
    fire(document, 'prerenderingchange', { bubbles });
  };

  it('starts only on prerenderingchange, counting from activation and ignoring the hidden time before it', () => {
    prerender();
    const { track } = setup();
    expect(FakeObserver.byType.size).toBe(0);
    expect(track).not.toHaveBeenCalled();
    activate(true);
    fcpAt(2600);
    expect(track.mock.calls).toEqual([vital('TTFB', 0, 'good', 'prerender'), vital('FCP', 600, 'good', 'prerender')]);
    // Started once (counted relatively: a listener left by another test may have started too).
    const observers = FakeObserver.of('paint').length;
    fire(document, 'prerenderingchange', { bubbles: true });
    expect(FakeObserver.of('paint')).toHaveLength(observers);
    expect(track).toHaveBeenCalledTimes(2);
  });

  // Chromium fires `prerenderingchange` at the document without bubbling (Event::Create), so a
  // listener on window sees it only in the capture phase, as web-vitals listens.
  it('starts on the prerenderingchange Chromium fires (at the document, not bubbling)', () => {
    prerender();
    const { track } = setup();
    activate(false);
    fcpAt(2600);
    expect(track.mock.calls).toEqual([vital('TTFB', 0, 'good', 'prerender'), vital('FCP', 600, 'good', 'prerender')]);
  });
});

describe('web vitals: a page hidden at start', () => {
  it('reports no FCP and no LCP (nor CLS, which needs FCP), even once shown', () => {
    page.vis = 'hidden';
    page.ready = 'complete';
    const { track } = setup();
    fcpAt(300);
    lcpAt(400);
    deliver('layout-shift', shift(500, 0.0625));
    show();
    fcpAt(5000);
    lcpAt(5100);
    click();
    hide();
    expect(track.mock.calls).toEqual([vital('TTFB', 250, 'good')]);
  });

  it('hidden before start and visible again (visibility-state entry): no FCP after it, so no CLS', () => {
    page.visibilityEntries = [
      { name: 'hidden', startTime: 500 },
      { name: 'visible', startTime: 800 },
    ];
    const { track } = setup();
    fcpAt(1000);
    lcpAt(1000);
    deliver('layout-shift', shift(1100, 0.0625));
    hide();
    expect(track).not.toHaveBeenCalled();
  });
});

describe('web vitals: active flag and failing track', () => {
  it('tracks nothing while inactive (not even TTFB at start); once active, what was never reported', () => {
    page.ready = 'complete';
    const { track, instance } = setup(vi.fn<Track>(), false);
    load();
    fcpAt(1000);
    lcpAt(1200);
    deliver('layout-shift', shift(2000, 0.0625));
    deliver('event', interaction(1, 300));
    page.interactionCount = 1;
    click();
    hide();
    expect(track).not.toHaveBeenCalled();
    // FCP, LCP and TTFB are past; CLS and INP are measured until the next hide.
    show();
    instance.active = true;
    hide();
    expect(track.mock.calls).toEqual([vital('CLS', 0.0625, 'good'), vital('INP', 300, 'needs-improvement')]);
  });

  it('tracks nothing of a restore while inactive', () => {
    const { track } = setup(vi.fn<Track>(), false);
    pageshow(true);
    nextFrame();
    nextFrame();
    hide();
    expect(track).not.toHaveBeenCalled();
  });

  it('never lets a throwing track escape into an observer callback or an event dispatch', () => {
    const errors: Event[] = [];
    const onError = (e: Event) => void errors.push(e);
    addEventListener('error', onError);
    const track = vi.fn<Track>(() => {
      throw new Error('track failed');
    });
    setup(track);
    expect(() => fcpAt(1000)).not.toThrow();
    expect(() => load()).not.toThrow();
    lcpAt(1200);
    expect(() => click()).not.toThrow();
    deliver('event', interaction(1, 300));
    page.interactionCount = 1;
    expect(() => hide()).not.toThrow();
    page.vis = 'visible';
    expect(() => pageshow(true)).not.toThrow();
    removeEventListener('error', onError);
    expect(errors).toEqual([]);
    expect(track.mock.calls.map((c) => c[1])).toEqual(expect.arrayContaining(['FCP', 'TTFB', 'LCP', 'INP']));
  });

  it('never lets a throwing track escape from the restore frames', () => {
    const errors: Event[] = [];
    const onError = (e: Event) => void errors.push(e);
    addEventListener('error', onError);
    const track = vi.fn<Track>((_type, name) => {
      if (name == 'LCP') throw new Error('track failed');
    });
    setup(track);
    pageshow(true);
    expect(() => (nextFrame(), nextFrame())).not.toThrow();
    removeEventListener('error', onError);
    expect(errors).toEqual([]);
    expect(track.mock.calls.map((c) => c[1])).toEqual(['TTFB', 'FCP', 'LCP']);
  });
});
