// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { click, FakeObserver, fcpAt, hide, keydown, lcpAt, page, queue, setup, show, useFakeBrowser, vital } from '../testing/vitals-fakes.js';

useFakeBrowser();

describe('web vitals: LCP', () => {
  it('is the last candidate, reported on the first trusted click only', () => {
    const { track } = setup();
    lcpAt(1000);
    lcpAt(1800);
    lcpAt(2600);
    expect(track).not.toHaveBeenCalled();
    click();
    expect(track.mock.calls).toEqual([vital('LCP', 2600, 'needs-improvement')]);
    lcpAt(3000);
    click();
    keydown();
    hide();
    expect(track).toHaveBeenCalledOnce();
  });

  it('is final on a trusted keydown; untrusted clicks and keys do not finalize it', () => {
    const { track } = setup();
    lcpAt(1000);
    click(false);
    keydown(false);
    expect(track).not.toHaveBeenCalled();
    lcpAt(1500);
    keydown();
    expect(track.mock.calls).toEqual([vital('LCP', 1500, 'good')]);
  });

  it('is final when the page is hidden', () => {
    const { track } = setup();
    lcpAt(1000);
    lcpAt(4200);
    expect(track).not.toHaveBeenCalled();
    hide();
    show();
    hide();
    expect(track.mock.calls).toEqual([vital('LCP', 4200, 'poor')]);
  });

  it('takes the pending records at finalization, then stops observing', () => {
    const { track } = setup();
    lcpAt(1000);
    queue('largest-contentful-paint', { startTime: 2000 }, { startTime: 3000 });
    click();
    expect(track.mock.calls).toEqual([vital('LCP', 3000, 'needs-improvement')]);
    expect(FakeObserver.of('largest-contentful-paint')).toEqual([]);
    expect(FakeObserver.of('paint')).toHaveLength(1);
  });

  it('ignores a candidate from after the page was first hidden', () => {
    const { track } = setup();
    lcpAt(1000);
    queue('largest-contentful-paint', { startTime: 5000 });
    hide(4000);
    expect(track.mock.calls).toEqual([vital('LCP', 1000, 'good')]);
  });

  it('uses an earlier hidden visibility-state entry: later FCP and LCP candidates are ignored', () => {
    page.visibilityEntries = [
      { name: 'hidden', startTime: 1500 },
      { name: 'visible', startTime: 1700 },
    ];
    const { track } = setup();
    fcpAt(1000);
    lcpAt(1200);
    lcpAt(1900);
    click();
    expect(track.mock.calls).toEqual([vital('FCP', 1000, 'good'), vital('LCP', 1200, 'good')]);
  });

  it('is not reported without a candidate', () => {
    const { track } = setup();
    click();
    lcpAt(1000);
    hide();
    expect(track).not.toHaveBeenCalled();
  });
});
