import { describe, expect, it } from 'vitest';
import { utcDay } from './layout.js';

describe('utcDay', () => {
  it('is the UTC date of the instant, also for offsets', () => {
    expect(utcDay('2026-11-20T23:59:59.999Z')).toBe('2026-11-20');
    expect(utcDay('2026-11-20T01:00:00+02:00')).toBe('2026-11-19');
    expect(utcDay('2026-11-20T23:30:00-01:00')).toBe('2026-11-21');
    expect(() => utcDay('not a time')).toThrow();
  });
});
