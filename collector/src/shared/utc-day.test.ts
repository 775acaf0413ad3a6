import { describe, expect, it } from 'vitest';
import { isDay, utcDay, utcDayOfIso } from './utc-day.js';

describe('utcDayOfIso', () => {
  it('is the UTC date of the instant, also for offsets', () => {
    expect(utcDayOfIso('2026-11-20T23:59:59.999Z')).toBe('2026-11-20');
    expect(utcDayOfIso('2026-11-20T01:00:00+02:00')).toBe('2026-11-19');
    expect(utcDayOfIso('2026-11-20T23:30:00-01:00')).toBe('2026-11-21');
    expect(() => utcDayOfIso('not a time')).toThrow();
  });
});

describe('utcDay / isDay', () => {
  it('formats milliseconds as the UTC day', () => {
    expect(utcDay(Date.parse('2026-11-20T23:59:59.999Z'))).toBe('2026-11-20');
  });
  it('accepts real dates only', () => {
    expect(isDay('2026-02-28')).toBe(true);
    expect(isDay('2028-02-29')).toBe(true);
    expect(isDay('2026-02-29')).toBe(false);
    expect(isDay('2026-13-01')).toBe(false);
    expect(isDay('2026-1-01')).toBe(false);
  });
});
