import { describe, expect, it } from 'vitest';
import { change, changeDir, fmtChange } from './format.js';

describe('change column and card deltas', () => {
  it('shows a change that rounds to 0 as a neutral ±0%, never as a fall or a rise', () => {
    expect(fmtChange(change(100_000, 100_040))).toBe('±0%');
    expect(changeDir(change(100_000, 100_040))).toBe('flat');
    expect(fmtChange(0)).toBe('±0%');
    expect(changeDir(-0.0004)).toBe('flat');
    expect(changeDir(0.0004)).toBe('flat');
    expect(fmtChange(null)).toBe('new');
    expect(changeDir(null)).toBe('up');
  });

  it('draws the arrow the text shows, for every change near the rounding edge', () => {
    for (let k = -3000; k <= 3000; k++) {
      const c = k / 1_000_000 + (k % 7) * 1e-9;
      const text = fmtChange(c);
      const dir = changeDir(c);
      if (dir === 'flat') expect(text).toBe('±0%');
      else if (dir === 'down') expect(text).toMatch(/^[-−]0\.\d%$|^[-−]\d/);
      else expect(text).toMatch(/^\+/);
      expect(text).not.toMatch(/^[-−+]0%$/);
    }
  });
});
