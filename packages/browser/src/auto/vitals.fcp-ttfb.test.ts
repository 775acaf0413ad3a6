// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { click, deliver, fcpAt, fresh, hide, idOf, interaction, lcpAt, load, named, page, setup, shift, show, useFakeBrowser, vital } from '../testing/vitals-fakes.js';

useFakeBrowser();

describe('web vitals: FCP, TTFB and navigation type', () => {
  it('reports FCP from the first-contentful-paint entry, once', () => {
    const { track } = setup();
    deliver('paint', { name: 'first-paint', startTime: 900 });
    expect(track).not.toHaveBeenCalled();
    fcpAt(1200);
    fcpAt(1200);
    expect(track.mock.calls).toEqual([vital('FCP', 1200, 'good')]);
  });

  it('rates each metric with its good / poor boundaries (≤ good, ≤ poor, above)', () => {
    const measure = (name: string, value: number) => {
      fresh();
      page.ready = name == 'TTFB' ? 'complete' : 'loading';
      page.nav = { type: 'navigate', responseStart: name == 'TTFB' ? value : 250 };
      const { track } = setup();
      if (name == 'FCP') fcpAt(value);
      if (name == 'LCP') {
        lcpAt(value);
        click();
      }
      if (name == 'CLS') {
        fcpAt(100);
        deliver('layout-shift', shift(500, value));
        hide();
      }
      if (name == 'INP') {
        deliver('event', interaction(1, value));
        page.interactionCount = 1;
        hide();
      }
      const calls = named(track, name);
      expect(calls).toHaveLength(1);
      expect(calls[0]).toEqual(vital(name, value, (calls[0]![2] as { rating: string }).rating));
      return (calls[0]![2] as { rating: string }).rating;
    };
    const cases: Array<[string, number[]]> = [
      ['FCP', [1800, 1800.5, 3000, 3000.5]],
      ['LCP', [2500, 2500.5, 4000, 4000.5]],
      ['CLS', [0.1, 0.1001, 0.25, 0.2501]],
      ['INP', [200, 201, 500, 501]],
      ['TTFB', [800, 800.5, 1800, 1800.5]],
    ];
    for (const [name, values] of cases) {
      expect([name, values.map((v) => measure(name, v))]).toEqual([name, ['good', 'needs-improvement', 'needs-improvement', 'poor']]);
    }
  });

  it('reports TTFB (responseStart) at once when the page has loaded, and not again on load', () => {
    page.ready = 'complete';
    const { track } = setup();
    expect(track.mock.calls).toEqual([vital('TTFB', 250, 'good')]);
    load();
    expect(track).toHaveBeenCalledOnce();
  });

  it('reports TTFB on the window load event while the page is still loading, once', () => {
    page.nav = { type: 'navigate', responseStart: 900 };
    const { track } = setup();
    expect(track).not.toHaveBeenCalled();
    load();
    load();
    expect(track.mock.calls).toEqual([vital('TTFB', 900, 'needs-improvement')]);
  });

  it('takes the navigation type from the navigation entry (underscores → dashes)', () => {
    for (const [type, navigationType] of [
      ['navigate', 'navigate'],
      ['reload', 'reload'],
      ['back_forward', 'back-forward'],
    ]) {
      fresh();
      page.ready = 'complete';
      page.nav = { type: type!, responseStart: 300 };
      const { track } = setup();
      fcpAt(1000);
      expect(track.mock.calls).toEqual([vital('TTFB', 300, 'good', navigationType), vital('FCP', 1000, 'good', navigationType)]);
    }
  });

  it('is "restore" on a page the browser had discarded', () => {
    page.wasDiscarded = true;
    page.nav = { type: 'reload', responseStart: 300 };
    const { track } = setup();
    fcpAt(1000);
    expect(track.mock.calls).toEqual([vital('FCP', 1000, 'good', 'restore')]);
  });

  it('counts from activation on a prerendered page (activationStart > 0 → "prerender")', () => {
    page.ready = 'complete';
    page.nav = { type: 'navigate', responseStart: 1400, activationStart: 1000 };
    const { track } = setup();
    fcpAt(1500);
    lcpAt(2000);
    click();
    expect(track.mock.calls).toEqual([vital('TTFB', 400, 'good', 'prerender'), vital('FCP', 500, 'good', 'prerender'), vital('LCP', 1000, 'good', 'prerender')]);
  });

  it('clamps at 0 what happened before activation', () => {
    page.ready = 'complete';
    page.nav = { type: 'navigate', responseStart: 300, activationStart: 1000 };
    const { track } = setup();
    fcpAt(800);
    lcpAt(900);
    click();
    expect(track.mock.calls).toEqual([vital('TTFB', 0, 'good', 'prerender'), vital('FCP', 0, 'good', 'prerender'), vital('LCP', 0, 'good', 'prerender')]);
  });

  it('ignores a navigation entry without a response yet or from the future: no TTFB, no activation', () => {
    for (const responseStart of [0, page.now + 1]) {
      fresh();
      page.ready = 'complete';
      page.nav = { type: 'reload', responseStart, activationStart: 1000 };
      const { track } = setup();
      load();
      fcpAt(1500);
      expect(track.mock.calls).toEqual([vital('FCP', 1500, 'good', 'navigate')]);
    }
  });

  it('without a navigation entry: navigationType "navigate", no TTFB', () => {
    page.ready = 'complete';
    page.nav = undefined;
    const { track } = setup();
    fcpAt(700);
    expect(track.mock.calls).toEqual([vital('FCP', 700, 'good', 'navigate')]);
  });
});

describe('web vitals: ids', () => {
  it('gives each metric its own id, stable across its re-reports', () => {
    page.ready = 'complete';
    const { track } = setup();
    fcpAt(1000);
    lcpAt(1200);
    click();
    deliver('layout-shift', shift(2000, 0.0625));
    deliver('event', interaction(1, 120));
    page.interactionCount = 1;
    hide();
    show();
    deliver('layout-shift', shift(2500, 0.0625));
    deliver('event', interaction(2, 250));
    page.interactionCount = 2;
    hide();
    expect(track.mock.calls).toEqual([
      vital('TTFB', 250, 'good'),
      vital('FCP', 1000, 'good'),
      vital('LCP', 1200, 'good'),
      vital('CLS', 0.0625, 'good'),
      vital('INP', 120, 'good'),
      vital('CLS', 0.125, 'needs-improvement'),
      vital('INP', 250, 'needs-improvement'),
    ]);
    const ids = track.mock.calls.map(idOf);
    expect(ids[5]).toBe(ids[3]);
    expect(ids[6]).toBe(ids[4]);
    expect(new Set(ids.slice(0, 5)).size).toBe(5);
  });
});
