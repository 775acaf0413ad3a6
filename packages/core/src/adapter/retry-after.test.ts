import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from './retry-after.js';

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-22T10:00:00Z');
  it.each([
    ['120', 120_000],
    [' 0 ', 0],
    ['Sun, 22 Nov 2026 10:00:30 GMT', 30_000],
    ['Sun, 22 Nov 2026 09:00:00 GMT', 0],
  ])('%j → %d ms', (value, ms) => expect(parseRetryAfter(value, now)).toBe(ms));
  it.each([null, '', 'soon', '-5'])('%j → undefined', (value) => expect(parseRetryAfter(value, now)).toBeUndefined());
});
