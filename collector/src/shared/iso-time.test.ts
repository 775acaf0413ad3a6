import { describe, expect, it } from 'vitest';
import { isoString, parseIso } from './iso-time.js';

describe('isoString / parseIso', () => {
  it('match toISOString and Date.parse exactly across days, years and odd instants', () => {
    const instants = [0, 1, 999, 86_399_999, 86_400_000, 951_782_400_000, 1_709_164_800_000, 253_402_300_799_999, -1, -86_400_001, 253_402_300_800_000];
    let seed = 7;
    for (let i = 0; i < 5000; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      // Runs of nearby instants (the cache's case) mixed with jumps across decades.
      instants.push(i % 50 === 0 ? seed * 1000 : 1_763_800_000_000 + (seed % 200_000_000));
    }
    for (const ms of instants) {
      const want = new Date(ms).toISOString();
      expect(isoString(ms), String(ms)).toBe(want);
      expect(parseIso(want), want).toBe(Date.parse(want));
    }
  });

  it('parses other accepted forms like Date.parse', () => {
    isoString(1_763_800_000_000); // prime the day cache
    for (const ts of ['2025-11-22T08:26:40Z', '2025-11-22T08:26:40.1Z', '2025-11-22T10:26:40.123+02:00', '2025-11-22T08:26:40.123456Z', '2025-11-23T00:00:00.000Z']) {
      expect(parseIso(ts), ts).toBe(Date.parse(ts));
    }
  });
});
