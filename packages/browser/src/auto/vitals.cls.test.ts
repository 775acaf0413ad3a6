// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { deliver, fcpAt, hide, idOf, named, queue, setup, shift, show, useFakeBrowser, vital } from '../testing/vitals-fakes.js';

useFakeBrowser();

describe('web vitals: CLS', () => {
  it('is the largest session window: shifts < 1 s apart, within 5 s of its first, without recent input', () => {
    const { track } = setup();
    fcpAt(500);
    deliver(
      'layout-shift',
      shift(1000, 0.0625),
      shift(1999, 0.0625), // 999 ms later: same window (0.125)
      shift(2999, 0.125), // 1000 ms later: a new window (0.125)
      shift(3100, 0.5, true), // after input: ignored
    );
    deliver(
      'layout-shift',
      ...[10_000, 10_999, 11_998, 12_997, 13_996, 14_995].map((t) => shift(t, 0.03125)), // one window: 0.1875
      shift(15_000, 0.03125), // 5000 ms after the window's first: a new window
    );
    expect(track.mock.calls).toEqual([vital('FCP', 500, 'good')]);
    hide();
    expect(track.mock.calls).toEqual([vital('FCP', 500, 'good'), vital('CLS', 0.1875, 'needs-improvement')]);
  });

  it('is reported on hide (0 without shifts), again only when it grew, with pending shifts and the same id', () => {
    const { track } = setup();
    fcpAt(500);
    hide();
    show();
    hide();
    expect(named(track, 'CLS')).toEqual([vital('CLS', 0, 'good')]);
    show();
    deliver('layout-shift', shift(3000, 0.0625));
    queue('layout-shift', shift(3500, 0.0625));
    hide();
    show();
    hide();
    expect(track.mock.calls).toEqual([vital('FCP', 500, 'good'), vital('CLS', 0, 'good'), vital('CLS', 0.125, 'needs-improvement')]);
    expect(idOf(track.mock.calls[2])).toBe(idOf(track.mock.calls[1]));
  });

  it('is reported when the page is hidden, not when it becomes visible', () => {
    const { track } = setup();
    fcpAt(500);
    hide();
    deliver('layout-shift', shift(3000, 0.0625));
    show();
    expect(track.mock.calls).toEqual([vital('FCP', 500, 'good'), vital('CLS', 0, 'good')]);
    hide();
    expect(track.mock.calls).toEqual([vital('FCP', 500, 'good'), vital('CLS', 0, 'good'), vital('CLS', 0.0625, 'good')]);
  });

  it('is not reported when FCP did not happen before the page was hidden', () => {
    const { track } = setup();
    deliver('layout-shift', shift(1000, 0.25));
    hide(1500);
    fcpAt(2000); // painted in the background: no FCP, and no CLS either
    show();
    deliver('layout-shift', shift(3000, 0.25));
    hide();
    expect(track).not.toHaveBeenCalled();
  });
});
