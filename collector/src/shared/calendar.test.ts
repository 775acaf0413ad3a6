import { describe, expect, it } from 'vitest';
import { addDays, dayInZone, dayMapper, isoWeek, weekStart } from './calendar.js';
import { isDay } from './utc-day.js';

describe('calendar arithmetic', () => {
  it('maps instants to the zone’s calendar day, across DST changes', () => {
    expect(dayInZone(Date.parse('2026-11-20T05:00:00Z'), 'America/Los_Angeles')).toBe('2026-11-19');
    expect(dayInZone(Date.parse('2026-11-19T20:00:00Z'), 'Asia/Tokyo')).toBe('2026-11-20');
    // 2026-03-08 is the US spring-forward day: 07:59Z is 23:59 PST of the 7th, 08:00Z is 00:00 PST of the 8th.
    expect(dayInZone(Date.parse('2026-03-08T07:59:00Z'), 'America/Los_Angeles')).toBe('2026-03-07');
    expect(dayInZone(Date.parse('2026-03-08T08:00:00Z'), 'America/Los_Angeles')).toBe('2026-03-08');
    // After the change midnight is 07:00Z.
    expect(dayInZone(Date.parse('2026-03-09T06:59:00Z'), 'America/Los_Angeles')).toBe('2026-03-08');
    expect(dayInZone(Date.parse('2026-03-09T07:00:00Z'), 'America/Los_Angeles')).toBe('2026-03-09');
  });

  it('finds ISO weeks, Monday first, including year boundaries', () => {
    expect(weekStart('2026-11-20')).toBe('2026-11-16');
    expect(weekStart('2026-11-16')).toBe('2026-11-16');
    expect(weekStart('2026-11-22')).toBe('2026-11-16');
    expect(isoWeek('2026-11-20')).toBe('2026-W47');
    expect(isoWeek('2021-01-03')).toBe('2020-W53');
    expect(isoWeek('2024-12-30')).toBe('2025-W01');
  });

  it('validates and shifts days', () => {
    expect(isDay('2026-02-29')).toBe(false);
    expect(isDay('2028-02-29')).toBe(true);
    expect(isDay('2026-1-01')).toBe(false);
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });

  it('memoizes per 15-minute slot without crossing midnight, even at odd offsets', () => {
    for (const tz of ['Asia/Kathmandu', 'Australia/Eucla', 'America/Los_Angeles', 'Europe/Berlin']) {
      const map = dayMapper(tz);
      // Every minute across two days around the European DST change, checked against Intl directly.
      for (let ms = Date.parse('2026-10-24T00:00:00Z'); ms < Date.parse('2026-10-26T00:00:00Z'); ms += 60_000) {
        expect(map(ms), `${tz} ${new Date(ms).toISOString()}`).toBe(dayInZone(ms, tz));
      }
    }
  });
});
