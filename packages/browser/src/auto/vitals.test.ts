// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest';
import type { Metric } from 'web-vitals';

const callbacks = vi.hoisted(() => new Map<string, (m: unknown) => void>());
vi.mock('web-vitals', () => {
  const on = (name: string) => (cb: (m: unknown) => void) => void callbacks.set(name, cb);
  return { onLCP: on('LCP'), onINP: on('INP'), onCLS: on('CLS'), onFCP: on('FCP'), onTTFB: on('TTFB') };
});
const { trackVitals } = await import('./vitals.js');

const metric = (name: string, value: number): Metric =>
  ({ name, value, rating: 'good', id: 'v5-' + name, navigationType: 'navigate', delta: value, entries: [] }) as unknown as Metric;

describe('web vitals', () => {
  it('tracks the five metrics as web_vital events with value, rating, id and navigationType', () => {
    const track = vi.fn();
    let active = true;
    trackVitals({ track }, () => active);
    expect([...callbacks.keys()].sort()).toEqual(['CLS', 'FCP', 'INP', 'LCP', 'TTFB']);
    callbacks.get('LCP')!(metric('LCP', 1234.5));
    callbacks.get('CLS')!(metric('CLS', 0.02));
    expect(track.mock.calls).toEqual([
      ['web_vital', 'LCP', { value: 1234.5, rating: 'good', id: 'v5-LCP', navigationType: 'navigate' }],
      ['web_vital', 'CLS', { value: 0.02, rating: 'good', id: 'v5-CLS', navigationType: 'navigate' }],
    ]);
    active = false;
    callbacks.get('INP')!(metric('INP', 80));
    expect(track).toHaveBeenCalledTimes(2);
  });

  it('never lets a failing track escape into web-vitals', () => {
    trackVitals({ track: () => { throw new Error('x'); } }, () => true);
    expect(() => callbacks.get('TTFB')!(metric('TTFB', 90))).not.toThrow();
  });
});
