// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest';
import { deliver, FakeObserver, fresh, hide, idOf, interaction, page, queue, setup, show, useFakeBrowser, vital } from '../testing/vitals-fakes.js';

useFakeBrowser();

describe('web vitals: INP', () => {
  it('takes the longest entry of each interaction; entries without interactionId do not count', () => {
    const { track } = setup();
    deliver(
      'event',
      interaction(1, 80, 'pointerdown'),
      interaction(1, 240, 'pointerup'),
      interaction(1, 160, 'click'),
      interaction(2, 180, 'keydown'),
      { name: 'mouseover', interactionId: 0, duration: 900 },
    );
    page.interactionCount = 2;
    hide();
    expect(track.mock.calls).toEqual([vital('INP', 240, 'needs-improvement')]);
  });

  it('counts a first-input entry, even one below the threshold and without interactionId', () => {
    const { track } = setup();
    deliver('first-input', { name: 'pointerdown', interactionId: 0, duration: 24 });
    page.interactionCount = 1;
    hide();
    expect(track.mock.calls).toEqual([vital('INP', 24, 'good')]);
  });

  it('merges a first-input entry into its interaction', () => {
    const { track } = setup();
    deliver('first-input', { name: 'pointerdown', interactionId: 7, duration: 48 });
    deliver('event', interaction(7, 120), interaction(8, 90));
    page.interactionCount = 2;
    hide();
    expect(track.mock.calls).toEqual([vital('INP', 120, 'good')]);
  });

  // Twelve interactions; the 10 longest are kept: 1000 900 800 700 650 450 300 200 120 60.
  const durations = [300, 50, 700, 120, 900, 60, 450, 800, 200, 1000, 40, 650];
  const interact = () => {
    deliver('event', ...durations.slice(0, 8).map((d, i) => interaction(i + 1, d)));
    queue('event', ...durations.slice(8).map((d, i) => interaction(i + 9, d)));
  };

  it('is the interaction at index ⌊interactionCount / 50⌋ of the 10 longest (pending ones included)', () => {
    const inp = (count: number) => {
      fresh();
      const { track } = setup();
      interact();
      page.interactionCount = count;
      hide();
      expect(track).toHaveBeenCalledOnce();
      return (track.mock.calls[0]![2] as { value: number }).value;
    };
    expect(inp(12)).toBe(1000);
    expect(inp(49)).toBe(1000);
    expect(inp(50)).toBe(900);
    expect(inp(120)).toBe(800);
    // Index 12 is past the 10 kept: the shortest of them.
    expect(inp(600)).toBe(60);
  });

  it('with 120 interactions reports the third longest, rated', () => {
    const { track } = setup();
    interact();
    page.interactionCount = 120;
    hide();
    expect(track.mock.calls).toEqual([vital('INP', 800, 'poor')]);
  });

  it('is not reported without an interaction', () => {
    const { track } = setup();
    deliver('event', { name: 'mouseover', interactionId: 0, duration: 300 });
    page.interactionCount = 5;
    hide();
    expect(track).not.toHaveBeenCalled();
  });

  it('is not measured where PerformanceEventTiming has no interactionId (or is missing)', () => {
    for (const timing of [class {}, undefined]) {
      fresh();
      vi.stubGlobal('PerformanceEventTiming', timing);
      const { track } = setup();
      expect(FakeObserver.of('event')).toEqual([]);
      expect(FakeObserver.of('first-input')).toEqual([]);
      deliver('event', interaction(1, 300));
      page.interactionCount = 1;
      hide();
      expect(track).not.toHaveBeenCalled();
    }
  });

  it('is reported on each hide when it changed, with the same id', () => {
    const { track } = setup();
    deliver('event', interaction(1, 120));
    page.interactionCount = 1;
    hide();
    show();
    hide();
    expect(track.mock.calls).toEqual([vital('INP', 120, 'good')]);
    show();
    deliver('event', interaction(2, 300));
    page.interactionCount = 2;
    hide();
    show();
    deliver('event', interaction(3, 100));
    page.interactionCount = 3;
    hide();
    expect(track.mock.calls).toEqual([vital('INP', 120, 'good'), vital('INP', 300, 'needs-improvement')]);
    expect(idOf(track.mock.calls[1])).toBe(idOf(track.mock.calls[0]));
  });

  // web-vitals counts every interaction of the page (its count starts at 0, reset only on a
  // back/forward cache restore); the entries of interactions made before start are buffered.
  it('counts the interactions made before tracking started (e.g. on a consent banner)', () => {
    page.interactionCount = 100;
    const { track } = setup();
    interact();
    page.interactionCount = 120;
    hide();
    expect(track.mock.calls).toEqual([vital('INP', 800, 'poor')]);
  });

  // vitals.ts: "Where performance.interactionCount is missing the count is the number of
  // interactions seen at ≥ 40 ms".
  it('without performance.interactionCount counts the interactions seen', () => {
    page.interactionCount = undefined;
    const { track } = setup();
    deliver('event', ...Array.from({ length: 120 }, (_, i) => interaction(i + 1, 41 + i)));
    hide();
    // 120 interactions: index 2, the third longest (160, 159, 158).
    expect(track.mock.calls).toEqual([vital('INP', 158, 'good')]);
  });
});
