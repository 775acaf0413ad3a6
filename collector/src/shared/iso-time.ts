/**
 * `Date.prototype.toISOString` and `Date.parse` for the one shape that dominates ingestion
 * (`YYYY-MM-DDTHH:MM:SS.sssZ`), exact and several times cheaper: nearly every event of a batch falls
 * on the same UTC day, so the day part is computed once and reused. Anything else goes to the
 * built-ins. Not thread-shared state, just a one-day cache.
 */
const DAY_MS = 86_400_000;
let dayStart = NaN;
let dayPrefix = '';

function setDay(ms: number): void {
  dayStart = ms - (((ms % DAY_MS) + DAY_MS) % DAY_MS);
  dayPrefix = new Date(dayStart).toISOString().slice(0, 11); // "YYYY-MM-DDT"
}

const pad2 = (n: number) => (n < 10 ? '0' : '') + n;
const pad3 = (n: number) => (n < 10 ? '00' : n < 100 ? '0' : '') + n;

/** Same string as `new Date(ms).toISOString()` for any finite ms in range. */
export function isoString(ms: number): string {
  if (!(ms >= dayStart && ms < dayStart + DAY_MS)) {
    if (!Number.isInteger(ms) || ms < 0 || ms >= 253402300800000) return new Date(ms).toISOString(); // outside 1970–9999
    setDay(ms);
  }
  let r = ms - dayStart;
  const h = Math.floor(r / 3_600_000);
  r -= h * 3_600_000;
  const m = Math.floor(r / 60_000);
  r -= m * 60_000;
  const s = Math.floor(r / 1000);
  return `${dayPrefix}${pad2(h)}:${pad2(m)}:${pad2(s)}.${pad3(r - s * 1000)}Z`;
}

const digit = (s: string, i: number) => s.charCodeAt(i) - 48;
const two = (s: string, i: number) => digit(s, i) * 10 + digit(s, i + 1);

/**
 * Same number as `Date.parse(ts)` for a timestamp the protocol already accepted (the caller has
 * checked it against the ISO pattern); the canonical UTC millisecond form on the cached day is
 * computed directly, any other form goes to `Date.parse`.
 */
export function parseIso(ts: string): number {
  if (ts.length === 24 && ts.charCodeAt(23) === 90 /* Z */ && ts.startsWith(dayPrefix) && dayPrefix !== '') {
    return dayStart + two(ts, 11) * 3_600_000 + two(ts, 14) * 60_000 + two(ts, 17) * 1000 + digit(ts, 20) * 100 + two(ts, 21);
  }
  return Date.parse(ts);
}
