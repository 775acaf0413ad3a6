/**
 * UTC calendar days as the log and the ledger count them (`YYYY-MM-DD`). Zone-aware days for the
 * rollups (and the query API, erasure, retention) are in calendar.ts.
 */

/** The UTC day of a time in milliseconds. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The UTC day of an ISO-8601 instant. The ingest side writes `toISOString()` (ends in Z): fast path. */
export function utcDayOfIso(iso: string): string {
  if (iso.length >= 20 && iso.charCodeAt(iso.length - 1) === 90 /* Z */) return iso.slice(0, 10);
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`received_at is not a time: ${iso}`);
  return utcDay(ms);
}

const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;

/** True for a real calendar date written `YYYY-MM-DD` (no month 13, no February 30). */
export function isDay(s: string): boolean {
  if (!DAY_RE.test(s)) return false;
  const ms = Date.parse(`${s}T00:00:00Z`);
  return Number.isFinite(ms) && utcDay(ms) === s;
}
