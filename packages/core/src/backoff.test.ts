import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.js';

describe('backoffDelay', () => {
  it('doubles the ceiling from the base up to the cap (random = 1 - ε)', () => {
    const top = () => 0.999999;
    const ceilings = Array.from({ length: 11 }, (_, i) => backoffDelay(i, 1000, 300_000, top));
    expect(ceilings).toEqual([999, 1999, 3999, 7999, 15999, 31999, 63999, 127999, 255999, 299999, 299999]);
  });

  it('draws uniformly below the ceiling (full jitter)', () => {
    expect(backoffDelay(3, 1000, 300_000, () => 0)).toBe(0);
    expect(backoffDelay(3, 1000, 300_000, () => 0.5)).toBe(4000);
  });

  it('never goes below Retry-After', () => {
    expect(backoffDelay(0, 1000, 300_000, () => 0.5, 30_000)).toBe(30_000);
    expect(backoffDelay(5, 1000, 300_000, () => 0.5, 1000)).toBe(16_000);
  });
});
