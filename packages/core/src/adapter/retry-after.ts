/**
 * `Retry-After` as delay-seconds or an HTTP-date, in milliseconds from `now`; undefined when absent
 * or unreadable. The one rule for every adapter's transport (RFC 9110 §10.2.3).
 */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  // An HTTP-date always names a day or month; Date.parse alone would also take "-5" as a year.
  // (`test(null)` tests "null", which parses to NaN.)
  const ms = /^\s*\d+\s*$/.test(value!) ? +value! * 1000 : /[a-z]/i.test(value!) ? Date.parse(value!) - now : NaN;
  return ms == ms ? Math.max(0, ms) : undefined;
}
