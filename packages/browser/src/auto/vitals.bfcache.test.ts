// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { click, deliver, fcpAt, hide, idOf, interaction, lcpAt, named, nextFrame, page, pageshow, setup, shift, show, useFakeBrowser, vital } from '../testing/vitals-fakes.js';

useFakeBrowser();

describe('web vitals: back/forward cache restore', () => {
  it('is a new navigation: TTFB 0, FCP and LCP after two frames, CLS and INP start over, new ids', () => {
    page.ready = 'complete';
    const { track } = setup();
    fcpAt(1000);
    lcpAt(1500);
    deliver('layout-shift', shift(2000, 0.0625));
    deliver('event', interaction(1, 300));
    page.interactionCount = 1;
    hide(30_000);
    const before = track.mock.calls.length;
    expect(track.mock.calls).toEqual([
      vital('TTFB', 250, 'good'),
      vital('FCP', 1000, 'good'),
      vital('LCP', 1500, 'good'),
      vital('CLS', 0.0625, 'good'),
      vital('INP', 300, 'needs-improvement'),
    ]);

    page.vis = 'visible';
    page.now = 40_000;
    pageshow(true, 40_000);
    expect(track.mock.calls.slice(before)).toEqual([vital('TTFB', 0, 'good', 'back-forward-cache')]);
    page.now = 40_008;
    nextFrame();
    expect(track).toHaveBeenCalledTimes(before + 1);
    page.now = 40_016;
    nextFrame();
    expect(page.frames).toEqual([]);
    click(); // LCP was reported for this navigation already
    deliver('layout-shift', shift(41_000, 0.03125));
    deliver('event', interaction(2, 80));
    page.interactionCount = 2;
    hide(50_000);
    const after = track.mock.calls.slice(before);
    expect(after).toEqual([
      vital('TTFB', 0, 'good', 'back-forward-cache'),
      vital('FCP', 16, 'good', 'back-forward-cache'),
      vital('LCP', 16, 'good', 'back-forward-cache'),
      vital('CLS', 0.03125, 'good', 'back-forward-cache'),
      vital('INP', 80, 'good', 'back-forward-cache'),
    ]);
    const ids = track.mock.calls.map(idOf);
    expect(new Set(ids).size).toBe(10);
  });

  it('starts CLS at 0 and INP with no interaction', () => {
    const { track } = setup();
    fcpAt(1000);
    deliver('layout-shift', shift(2000, 0.0625));
    deliver('event', interaction(1, 300));
    page.interactionCount = 1;
    hide(30_000);
    page.vis = 'visible';
    pageshow(true, page.now);
    nextFrame();
    nextFrame();
    hide();
    expect(track.mock.calls).toEqual([
      vital('FCP', 1000, 'good'),
      vital('CLS', 0.0625, 'good'),
      vital('INP', 300, 'needs-improvement'),
      vital('TTFB', 0, 'good', 'back-forward-cache'),
      vital('FCP', 0, 'good', 'back-forward-cache'),
      vital('LCP', 0, 'good', 'back-forward-cache'),
      vital('CLS', 0, 'good', 'back-forward-cache'),
    ]);
    expect(idOf(track.mock.calls[6])).not.toBe(idOf(track.mock.calls[1]));
  });

  it('counts INP interactions from the restore', () => {
    const { track } = setup();
    page.interactionCount = 150;
    hide();
    page.vis = 'visible';
    pageshow(true);
    deliver('event', interaction(201, 500), interaction(202, 400), interaction(203, 90));
    page.interactionCount = 153;
    hide();
    // 3 interactions since the restore: the longest (with 153, index 2 would be 90).
    expect(named(track, 'INP')).toEqual([vital('INP', 500, 'needs-improvement', 'back-forward-cache')]);
  });

  it('takes LCP from the frame only, even when the LCP before was not final', () => {
    const { track } = setup();
    fcpAt(500);
    lcpAt(1000);
    pageshow(true, page.now);
    page.now += 20;
    nextFrame();
    nextFrame();
    lcpAt(page.now + 100);
    click();
    hide();
    expect(track.mock.calls).toEqual([
      vital('FCP', 500, 'good'),
      vital('TTFB', 0, 'good', 'back-forward-cache'),
      vital('FCP', 20, 'good', 'back-forward-cache'),
      vital('LCP', 20, 'good', 'back-forward-cache'),
      vital('CLS', 0, 'good', 'back-forward-cache'),
    ]);
  });

  it('ignores a pageshow that is not a restore', () => {
    page.ready = 'complete';
    const { track } = setup();
    pageshow(false);
    nextFrame();
    nextFrame();
    expect(page.frames).toEqual([]);
    expect(track.mock.calls).toEqual([vital('TTFB', 250, 'good')]);
  });

  // web-vitals starts CLS on the first FCP it reports, and it reports one after a restore: a page
  // first painted in the background has CLS once restored, like any other navigation.
  it('measures CLS after a restore even when the first load had no FCP', () => {
    page.vis = 'hidden';
    const { track } = setup();
    show();
    fcpAt(5000); // after the page was first hidden: not reported
    hide();
    page.vis = 'visible';
    pageshow(true, page.now);
    nextFrame();
    nextFrame();
    deliver('layout-shift', shift(page.now + 100, 0.0625));
    hide(page.now + 1000);
    expect(track.mock.calls).toEqual([
      vital('TTFB', 0, 'good', 'back-forward-cache'),
      vital('FCP', 0, 'good', 'back-forward-cache'),
      vital('LCP', 0, 'good', 'back-forward-cache'),
      vital('CLS', 0.0625, 'good', 'back-forward-cache'),
    ]);
  });
});
