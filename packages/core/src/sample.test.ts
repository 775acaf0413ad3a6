import { describe, expect, it } from 'vitest';
import { inSample } from './sample.js';

describe('inSample', () => {
  const ids = Array.from({ length: 2000 }, (_, i) => `anon-${i}`);

  it('is deterministic per id and keeps about the asked share', () => {
    const kept = ids.filter((id) => inSample(id, 0.25));
    expect(kept).toEqual(ids.filter((id) => inSample(id, 0.25)));
    expect(kept.length).toBeGreaterThan(400);
    expect(kept.length).toBeLessThan(600);
  });

  it('keeps everyone at 1 and no one at 0, and a larger rate keeps a superset', () => {
    expect(ids.every((id) => inSample(id, 1))).toBe(true);
    expect(ids.some((id) => inSample(id, 0))).toBe(false);
    const small = ids.filter((id) => inSample(id, 0.1));
    expect(small.every((id) => inSample(id, 0.5))).toBe(true);
  });
});
